import { seedProblem } from "../catalog/instance.js";
import { describeTask, start as startTask } from "../engine/run.js";
import { instanceOf } from "../engine/vars.js";
import { UsageError } from "../errors.js";
import { connectFor, loadTask } from "./common.js";
import { progress, say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill start <task> [--seed S]`: sets the task up (resetting it first) and says what to do. */
export async function start(
  { io, options }: CommandContext,
  id: string,
  flags: { seed?: string },
): Promise<number> {
  const problem = flags.seed === undefined ? undefined : seedProblem(flags.seed);
  if (problem) throw new UsageError(problem, `kubedrill start ${id} --seed min`);
  const loaded = await loadTask(options, id);
  const target = await connectFor(options, true);
  progress(io, `setting up ${id} on context "${target.context}"…`);
  const vars = await startTask(loaded, target, flags.seed);
  say(io, await describeTask(loaded, target));
  say(io, "");
  const seed = instanceOf(vars)?.seed;
  // Without --seed a start draws a new instance: starting over on this one needs its seed.
  const again = seed ? `kubedrill start ${id} --seed ${seed}` : `kubedrill start ${id}`;
  if (seed) say(io, `Seed ${seed}: this instance of the task (another start without --seed draws a new one)`);
  say(io, `Answer files go in ${vars.answers}/`);
  say(io, `When you are done: kubedrill check ${id}    To start over: ${again}`);
  return 0;
}
