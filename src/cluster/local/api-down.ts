import { existsSync } from "node:fs";
import { server as serverOf } from "./kubeconfig.js";
import { describeStaticPod, lastLogLine, readKubeletStatus } from "./kubelet-status.js";
import { localContext, locateLocal } from "./locate.js";
import { processesIn } from "./processes.js";
import { readState } from "./state.js";

/**
 * Why the local cluster's API server does not answer, in one line a learner can act on
 * (a broken flag in its manifest shows as its last log line), as a kind user would read
 * it with crictl on the node. undefined for any other context or when nothing is known,
 * and for a local cluster of another kubeconfig (the tests' own clusters share the
 * context's name): the one the default kubeconfig names is not the one asked, at server.
 */
export function localApiDown(context: string, server: string): string | undefined {
  if (context !== localContext) return undefined;
  try {
    const paths = locateLocal({ context });
    if (!existsSync(paths.root)) return undefined;
    const recorded = readState(paths);
    if (!recorded || serverOf(recorded.ports) !== server) return undefined;
    const running = processesIn(paths.root).some((p) => p.component === "kube-apiserver");
    const state = running ? "is running but not serving" : "exited";
    const status = readKubeletStatus(paths);
    const why =
      lastLogLine(status?.pods["kube-apiserver"]?.log) ?? describeStaticPod(paths, "kube-apiserver", status);
    return `the API server of ${context} is not answering; kube-apiserver on kubedrill-control-plane ${state}: ${why}`;
  } catch {
    return undefined;
  }
}
