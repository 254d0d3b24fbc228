import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { helmBinDir } from "./helm.js";

/** The test cluster lives apart from any practice cluster: its own state and kubeconfig. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const testRoot = join(repoRoot, ".kubedrill-test");
export const testEnv = {
  KUBECONFIG: join(testRoot, "kubeconfig"),
  KUBEDRILL_STATE_DIR: join(testRoot, "state"),
  KUBEDRILL_ANSWERS: join(testRoot, "answers"),
  // Grading through the CLI records history; keep it out of the developer's own.
  KUBEDRILL_HISTORY: join(testRoot, "history.jsonl"),
  KUBEDRILL_EXAM: join(testRoot, "exam.json"),
  // The pinned helm first (the global setup builds it): the Helm tasks' proofs run it.
  PATH: [helmBinDir, process.env.PATH].filter(Boolean).join(delimiter),
};
