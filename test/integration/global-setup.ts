import { localPaths } from "../../src/cluster/local/components.js";
import { down, isRunning, up } from "../../src/cluster/local/control-plane.js";
import { ensureHelm } from "./helm.js";
import { testEnv } from "./paths.js";

let startedHere = false;

/** Starts the local cluster for the integration tests, or reuses one already running. */
export async function setup(): Promise<void> {
  Object.assign(process.env, testEnv);
  const log = (message: string) => process.stderr.write(`[test cluster] ${message}\n`);
  await ensureHelm(log);
  const paths = localPaths(testEnv.KUBEDRILL_STATE_DIR);
  if (await isRunning(paths)) return;
  const result = await up(log, paths);
  log(`ready in ${result.seconds.toFixed(1)}s`);
  startedHere = true;
}

/** Stops what this run started, unless KUBEDRILL_KEEP_TEST_CLUSTER=1 (quicker reruns while developing). */
export async function teardown(): Promise<void> {
  if (startedHere && process.env.KUBEDRILL_KEEP_TEST_CLUSTER !== "1") {
    await down(localPaths(testEnv.KUBEDRILL_STATE_DIR));
  }
}
