import { apiDown, ClusterError } from "../errors.js";
import type { Helm } from "../model/helm.js";
import { type ApiOptions, ApiStatusError, KubeApi } from "./api.js";
import { helmFor } from "./helm.js";
import { type NodeAccess, nodeAccessFor } from "./node-access/index.js";
import { assertMayWrite } from "./safety.js";

export interface Connection {
  api: KubeApi;
  context: string;
  server: string;
  /** Undefined when this cluster offers no node access; node checks then fail with that reason. */
  nodes?: NodeAccess;
  /** helm aimed at this context, for setup steps that install a chart. */
  helm: Helm;
}

/** Loads the kubeconfig, checks the API answers, and picks node access for the context. */
export async function connect(
  options: ApiOptions & { allowContext?: string; write?: boolean },
): Promise<Connection> {
  const api = KubeApi.load(options);
  const context = api.contextName;
  const server = api.server;
  let nodes: NodeAccess | undefined;
  try {
    nodes = nodeAccessFor(context, options.kubeconfig ? [options.kubeconfig] : undefined);
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
  }
  await api.request("GET", "/version").catch(async (err: unknown) => {
    // An API server that does not answer on a cluster whose nodes kubedrill reaches: reset can
    // repair it and a check can grade it, so the callers meet the error on their first request.
    if (apiDown(err) && ((await nodes?.listNodes?.())?.length ?? 0) > 0) return;
    // Something answered, but not as a Kubernetes API server would (a proxy, a web server).
    if (!(err instanceof ApiStatusError)) throw err;
    throw new ClusterError(
      `context "${context}" at ${server} answered GET /version with ${err.status} (${err.message}): is it a Kubernetes API server?`,
      context,
      "check the server address: kubectl config view --minify",
    );
  });
  if (options.write) {
    await assertMayWrite(api, options.allowContext, options.kubeconfig ? [options.kubeconfig] : undefined);
  }
  return { api, context, server, nodes, helm: helmFor(context, options.kubeconfig) };
}
