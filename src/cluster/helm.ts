import type { Helm } from "../model/helm.js";
import { runTool } from "./tools.js";

/** helm against the connection's cluster: the same kubeconfig and context kubedrill reads. */
export function helmFor(context: string, kubeconfig?: string): Helm {
  const target = ["--kube-context", context, ...(kubeconfig ? ["--kubeconfig", kubeconfig] : [])];
  return { run: (args) => runTool("helm", [...args, ...target], { timeoutMs: 120_000 }) };
}
