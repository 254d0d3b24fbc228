import { describeTask } from "../engine/run.js";
import { connectFor, loadTask } from "./common.js";
import { say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill show <task>`: the description, time budget and points. */
export async function show({ io, options }: CommandContext, id: string): Promise<number> {
  const loaded = await loadTask(options, id);
  // Without a cluster the description is shown with its {{placeholders}}.
  const connection = await connectFor(options).catch(() => undefined);
  say(io, await describeTask(loaded, connection));
  return 0;
}
