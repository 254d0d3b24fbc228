import { ClusterError } from "../errors.js";

const practiceNames = [/^kind-/, /^minikube$/, /^kubedrill-/, /^k3d-/, /^docker-desktop$/];

function isLoopback(server: string): boolean {
  try {
    const host = new URL(server).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** Whether a context looks like a throw-away practice cluster rather than a shared one. */
export function isPracticeCluster(context: string, server: string): boolean {
  return practiceNames.some((re) => re.test(context)) || isLoopback(server);
}

/** Commands that write refuse other clusters unless the user names the context explicitly. */
export function assertMayWrite(context: string, server: string, allowContext?: string): void {
  if (isPracticeCluster(context, server) || allowContext === context) return;
  throw new ClusterError(
    `refusing to change context "${context}" (${server}): it does not look like a practice cluster ` +
      "(kind-*, minikube, kubedrill-*, k3d-*, docker-desktop, or a server on a loopback address)",
    context,
    `if this cluster is yours to break, pass --allow-context ${context}`,
  );
}
