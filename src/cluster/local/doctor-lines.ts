import { componentHealth } from "./health.js";
import { localContext, locateLocal } from "./locate.js";
import { readState } from "./state.js";

/** The shape of a doctor line (declared here so the doctor depends on this file, not the reverse). */
interface HealthLine {
  check: string;
  verdict: "ok" | "fail";
  detail: string;
  fix?: string;
}

/**
 * One doctor line per local-cluster component, from its process and its endpoint: a dead
 * kwok or etcd shows at once, while the API server may still answer for a while.
 */
export async function localHealthLines(context: string, kubeconfig?: string): Promise<HealthLine[]> {
  if (context !== localContext) return [];
  const check = "local cluster";
  try {
    const paths = locateLocal({ context, files: kubeconfig ? [kubeconfig] : undefined, mustExist: true });
    const state = readState(paths);
    if (!state) {
      return [
        {
          check,
          verdict: "fail",
          detail: `no cluster state in ${paths.root}`,
          fix: "kubedrill cluster up --driver local",
        },
      ];
    }
    const parts = await componentHealth(paths, state.ports);
    return parts.map((part) =>
      part.healthy
        ? { check: part.name, verdict: "ok", detail: `pid ${part.pid}, answering` }
        : {
            check: part.name,
            verdict: "fail",
            detail: `${part.detail}; log: ${part.log}`,
            fix: "kubedrill cluster up restarts it and keeps the cluster's objects",
          },
    );
  } catch (err) {
    const error = err as Error & { hint?: string };
    return [{ check, verdict: "fail", detail: error.message, fix: error.hint }];
  }
}
