import { describeTask, start as startTask } from "../engine/run.js";
import { connectFor, loadTask } from "./common.js";
import { progress, say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill start <task>`: sets the task up (resetting it first) and says what to do. */
export async function start({ io, options }: CommandContext, id: string): Promise<number> {
  const loaded = await loadTask(options, id);
  const target = await connectFor(options, true);
  progress(io, `setting up ${id} on context "${target.context}"…`);
  const vars = await startTask(loaded, target);
  say(io, await describeTask(loaded, target));
  say(io, "");
  say(io, `Answer files go in ${vars.answers}/`);
  say(io, `When you are done: kubedrill check ${id}    To start over: kubedrill start ${id}`);
  return 0;
}
