import type { LoadedTask } from "../catalog/load.js";
import { sharedState } from "../catalog/shared-state.js";

/**
 * Runs one proof per task, in three lanes that run at the same time: tasks that keep
 * to their own namespace up to `jobs` at a time; tasks that make cluster-scoped objects
 * of their own one by one beside them; and tasks that change the whole cluster (nodes,
 * the control plane, system objects) one by one — with `proveAlone` on a cluster of
 * their own at the same time, without it after the others, so that no proof sees
 * their change. Results come in catalog order.
 */
export async function proveAll<R>(
  tasks: LoadedTask[],
  jobs: number,
  prove: (task: LoadedTask) => Promise<R>,
  proveAlone?: (task: LoadedTask) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  const states = await Promise.all(tasks.map(sharedState));
  const lane = (scope: "objects" | "cluster" | undefined) =>
    tasks.flatMap((_, i) => (states[i]?.scope === scope ? [i] : []));
  const independent = lane(undefined);
  let next = 0;
  const worker = async () => {
    for (let i = independent[next++]; i !== undefined; i = independent[next++]) {
      results[i] = await prove(tasks[i] as LoadedTask);
    }
  };
  const oneByOne = async (indices: number[], run: (task: LoadedTask) => Promise<R>) => {
    for (const i of indices) results[i] = await run(tasks[i] as LoadedTask);
  };
  const pool = Promise.all([
    ...Array.from({ length: Math.max(1, Math.min(jobs, independent.length)) }, worker),
    oneByOne(lane("objects"), prove),
  ]);
  if (proveAlone) await Promise.all([pool, oneByOne(lane("cluster"), proveAlone)]);
  else {
    await pool;
    await oneByOne(lane("cluster"), prove);
  }
  return results;
}
