import type { LoadedTask } from "../catalog/load.js";
import { sharedStateReason } from "../catalog/shared-state.js";

/**
 * Runs one proof per task, up to `jobs` at a time for tasks that keep to their own
 * namespace, then the tasks that touch nodes or cluster-scoped objects one by one,
 * alone, so that no proof sees another's node change. Results come in catalog order.
 */
export async function proveAll<R>(
  tasks: LoadedTask[],
  jobs: number,
  prove: (task: LoadedTask) => Promise<R>,
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
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, independent.length)) }, worker));
  for (const i of alone) results[i] = await prove(tasks[i] as LoadedTask);
  return results;
}
