import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalPaths } from "../../src/cluster/local/components.js";
import { probe } from "../../src/cluster/local/health.js";
import { processesIn, waitFor } from "../../src/cluster/local/processes.js";
import { readState } from "../../src/cluster/local/state.js";

const pidOf = (paths: LocalPaths) =>
  processesIn(paths.root).find((p) => p.component === "kube-scheduler")?.pid;

/**
 * Milliseconds from an edit of the scheduler's manifest (a verbosity flag added, then
 * removed: each edit is a new pod) to a new scheduler process answering its health
 * check, as a learner's fix of a broken scheduler is felt.
 */
export async function schedulerRestarts(paths: LocalPaths, rounds = 3): Promise<number[]> {
  const file = join(paths.controlPlane, "etc/kubernetes/manifests/kube-scheduler.yaml");
  const ports = readState(paths)?.ports;
  if (!ports) throw new Error("no local cluster state");
  const original = await readFile(file, "utf8");
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = pidOf(paths);
    const edited =
      round % 2 === 0
        ? original.replace("- --leader-elect=false", "- --leader-elect=false\n    - --v=2")
        : original;
    const started = Date.now();
    await writeFile(file, edited);
    const serving = await waitFor(
      async () => {
        const pid = pidOf(paths);
        return pid !== undefined && pid !== before && (await probe("kube-scheduler", ports, paths));
      },
      30_000,
      50,
    );
    if (!serving) throw new Error("the scheduler did not come back within 30 s");
    times.push(Date.now() - started);
  }
  await writeFile(file, original);
  return times;
}
