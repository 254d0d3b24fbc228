import type { LoadedTask } from "../catalog/load.js";
import { sharedState } from "../catalog/shared-state.js";

/**
 * Runs one proof per task, in lanes that run at the same time: tasks that keep to their
 * own namespace up to `jobs` at a time; tasks that make cluster-scoped objects of their
 * own one by one beside them; and tasks that change the whole cluster (nodes, the
 * control plane, system objects) one at a time per cluster — on the clusters of
 * `proveAlone`, each taking the next such task when it is free, at the same time as
 * the others; without them, after the others, so that no proof sees their change.
 * Results come in catalog order.
 */
export async function proveAll<R>(
  tasks: LoadedTask[],
  jobs: number,
  prove: (task: LoadedTask) => Promise<R>,
  proveAlone: ((task: LoadedTask) => Promise<R>)[] = [],
): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  const states = await Promise.all(tasks.map(sharedState));
  const lane = (scope: "objects" | "cluster" | undefined) =>
    tasks.flatMap((_, i) => (states[i]?.scope === scope ? [i] : []));
  /** Proves the lane's tasks in order, each with the next free prover. */
  const drain = (indices: number[], provers: ((task: LoadedTask) => Promise<R>)[]) => {
    let next = 0;
    return Promise.all(
      provers.map(async (run) => {
        for (let i = indices[next++]; i !== undefined; i = indices[next++]) {
          results[i] = await run(tasks[i] as LoadedTask);
        }
      }),
    );
  };
  const independent = lane(undefined);
  const pool = Promise.all([
    drain(
      independent,
      Array.from({ length: Math.max(1, Math.min(jobs, independent.length)) }, () => prove),
    ),
    drain(lane("objects"), [prove]),
  ]);
  if (proveAlone.length > 0) await Promise.all([pool, drain(lane("cluster"), proveAlone)]);
  else {
    await pool;
    await drain(lane("cluster"), [prove]);
  }
  return results;
}
