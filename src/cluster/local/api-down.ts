import { existsSync } from "node:fs";
import { logFile } from "./health.js";
import { localContext, locateLocal } from "./locate.js";
import { lastLines, processesIn } from "./processes.js";

/**
 * Why the local cluster's API server does not answer, in one line a learner can act on
 * (a broken flag in its manifest shows as its last log line), as a kind user would read
 * it with crictl on the node. undefined for any other context or when nothing is known.
 */
export function localApiDown(context: string): string | undefined {
  if (context !== localContext) return undefined;
  try {
    const paths = locateLocal({ context });
    if (!existsSync(paths.root)) return undefined;
    const running = processesIn(paths.root).some((p) => p.component === "kube-apiserver");
    const last = lastLines(logFile(paths, "kube-apiserver"), 1).trim();
    const state = running ? "is running but not serving" : "exited";
    return `the API server of ${context} is not answering; kube-apiserver on kubedrill-control-plane ${state}: ${last}`;
  } catch {
    return undefined;
  }
}
