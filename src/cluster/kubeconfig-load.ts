import { existsSync, statSync } from "node:fs";
import { ClusterError } from "../errors.js";
import { KubeConfig } from "./kubeconfig.js";
import { kubeconfigFiles, kubeconfigProblem } from "./kubeconfig-file.js";

/**
 * Loads the kubeconfig as kubectl would, and says what is missing (no file, an empty one,
 * no current context, a context naming a cluster or user that is not there, a cluster
 * without a server) instead of failing later with a TypeError on the request's URL.
 */
export function loadKubeConfig(options: { kubeconfig?: string; context?: string }): KubeConfig {
  const config = new KubeConfig();
  // Without any kubeconfig there is nothing to connect to (client-node would try http://localhost:8080).
  const files = options.kubeconfig ? [options.kubeconfig] : kubeconfigFiles();
  if (!process.env.KUBERNETES_SERVICE_HOST && !files.some((file) => existsSync(file))) {
    throw new ClusterError(
      `no kubeconfig found (looked for ${files.join(", ")})`,
      options.context,
      "create a practice cluster, which writes one: kubedrill cluster up",
    );
  }
  const present = files.filter((file) => existsSync(file));
  if (present.length > 0 && present.every((file) => statSync(file).isFile() && statSync(file).size === 0)) {
    throw new ClusterError(
      `the kubeconfig ${present.join(", ")} is empty: it names no cluster, user or context`,
      options.context,
      "create a practice cluster, which writes one: kubedrill cluster up",
    );
  }
  try {
    if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (err) {
    // A KUBECONFIG naming a missing file, or a file that is not a kubeconfig.
    throw new ClusterError(
      `cannot load the kubeconfig ${present.join(", ") || files.join(", ")}: ${(err as Error).message.split("\n")[0]}`,
      options.context,
      "check the file, or create a practice cluster (which writes it): kubedrill cluster up",
    );
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new ClusterError(
        `context "${options.context}" is not in the kubeconfig`,
        options.context,
        "list the contexts with: kubectl config get-contexts",
      );
    }
    config.setCurrentContext(options.context);
  }
  const problem =
    process.env.KUBERNETES_SERVICE_HOST && present.length === 0
      ? undefined
      : kubeconfigProblem(config.entries(), present);
  if (problem) throw new ClusterError(problem.message, options.context, problem.hint);
  if (!config.getCurrentCluster()) {
    throw new ClusterError(
      `the cluster of context "${config.getCurrentContext()}" has no server address`,
      options.context,
      "check the context with: kubectl config view --minify",
    );
  }
  return config;
}
