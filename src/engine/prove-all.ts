import type { LoadedTask } from "../catalog/load.js";
import { sharedStateReason } from "../catalog/shared-state.js";

/**
 * Runs one proof per task, up to `jobs` at a time for tasks that keep to their own
 * namespace, and the tasks that touch nodes or cluster-scoped objects one by one,
 * alone, so that no proof sees another's node change: after the others, or — given
 * `proveAlone`, which proves on a cluster of its own — at the same time as them.
 * Results come in catalog order.
 */
export async function proveAll<R>(
  tasks: LoadedTask[],
  jobs: number,
  prove: (task: LoadedTask) => Promise<R>,
  proveAlone?: (task: LoadedTask) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  const reasons = await Promise.all(tasks.map(sharedStateReason));
  const independent = tasks.flatMap((_, i) => (reasons[i] ? [] : [i]));
  const alone = tasks.flatMap((_, i) => (reasons[i] ? [i] : []));
  let next = 0;
  const worker = async () => {
    for (let i = independent[next++]; i !== undefined; i = independent[next++]) {
      results[i] = await prove(tasks[i] as LoadedTask);
    }
  };
  const oneByOne = async (run: (task: LoadedTask) => Promise<R>) => {
    for (const i of alone) results[i] = await run(tasks[i] as LoadedTask);
  };
  const pool = Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, independent.length)) }, worker));
  if (proveAlone) await Promise.all([pool, oneByOne(proveAlone)]);
  else {
    await pool;
    await oneByOne(prove);
  }
  return results;
}
