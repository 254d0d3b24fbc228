import type { LoadedTask } from "../../src/catalog/load.js";
import { runScript } from "../../src/cluster/shell.js";
import { reset, solutionScript, start, type Target } from "../../src/engine/run.js";
import { builtCli } from "../support/cli-main.js";

/**
 * How long `reset` takes for each task after its reference solution ran: the
 * learner waits this long on every reset (issue 9 item 6: target ≤ 1 s).
 */
export async function resetTimes(tasks: LoadedTask[], target: Target): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const loaded of tasks) {
    await start(loaded, target);
    const solved = await runScript(await solutionScript(loaded, target), builtCli);
    if (!solved.ok) throw new Error(`${loaded.task.id}: reference solution failed\n${solved.output}`);
    const started = performance.now();
    await reset(loaded, target);
    times.set(loaded.task.id, performance.now() - started);
  }
  return times;
}
