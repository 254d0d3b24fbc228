import { reset as resetTask } from "../engine/run.js";
import { UsageError } from "../errors.js";
import { connectFor, loadTask, loadTasks } from "./common.js";
import { say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill reset [task] [--all]`: removes what a task and its solution created. */
export async function reset(
  { io, options }: CommandContext,
  id: string | undefined,
  flags: { all?: boolean },
): Promise<number> {
  if (!id === !flags.all)
    throw new UsageError("name one task or pass --all", "kubedrill reset pod-run-nginx");
  const tasks = flags.all ? await loadTasks(options) : [await loadTask(options, id as string)];
  const target = await connectFor(options, true);
  for (const loaded of tasks) {
    await resetTask(loaded, target);
    say(io, `reset ${loaded.task.id}`);
  }
  return 0;
}
