import { ensureBinary } from "../../src/cluster/local/build.js";

/** The fault suite's clusters need the local cluster binary; on a cold machine the build outlasts any test's timeout. */
export async function setup(): Promise<void> {
  await ensureBinary((message) => process.stderr.write(`[faults] ${message}\n`));
}
