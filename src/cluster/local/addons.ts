import { execa } from "execa";
import { ClusterError } from "../../errors.js";
import { KubeApi, type KubeObject } from "../api.js";
import type { Progress } from "./build.js";
import type { LocalPaths, Ports } from "./components.js";
import { localContext } from "./locate.js";
import { waitFor } from "./processes.js";

/** The workloads of the add-ons a kind cluster has, each as kind names it. */
const workloads = [
  { kind: "Deployment", namespace: "kube-system", name: "coredns" },
  { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" },
  { kind: "DaemonSet", namespace: "kube-system", name: "kindnet" },
  { kind: "Deployment", namespace: "local-path-storage", name: "local-path-provisioner" },
  { kind: "Deployment", namespace: "kube-system", name: "metrics-server" },
] as const;

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
}

const ready = (object: KubeObject | undefined) => {
  const status = (object?.status ?? {}) as WorkloadStatus;
  if (object?.kind === "DaemonSet") {
    return (status.desiredNumberScheduled ?? 0) > 0 && status.numberReady === status.desiredNumberScheduled;
  }
  return status.readyReplicas === (object?.spec as { replicas?: number } | undefined)?.replicas;
};

/**
 * Installs the add-ons `kubeadm init` and kind install (CoreDNS, kube-proxy, kindnet,
 * local-path-storage), and metrics-server as the CKA's clusters have it, where they are
 * missing, with the cluster binary: kubeadm's own addon code makes CoreDNS and kube-proxy. When it made something, waits until the
 * add-ons' pods are ready, as kind's create waits; an add-on the learner changed
 * is theirs, and `up` does not wait for it.
 */
export async function ensureAddons(
  binary: string,
  paths: LocalPaths,
  ports: Ports,
  progress: Progress,
): Promise<void> {
  const result = await execa(
    binary,
    ["addons", `--kubeconfig=${paths.kubeconfig}`, `--metrics-server-port=${ports.metricsServer}`],
    { reject: false },
  );
  if (result.exitCode !== 0) {
    throw new ClusterError(
      `installing the local cluster's add-ons failed: ${result.stderr.trim().split("\n").at(-1)}`,
      localContext,
      "run kubedrill cluster up again; if it fails the same way, kubedrill cluster up --fresh starts an empty cluster",
    );
  }
  const created = result.stdout.split("\n").filter((line) => line.trim() !== "");
  if (created.length === 0) return;
  progress(
    `installed the add-ons (${created.length} objects): CoreDNS, kube-proxy, kindnet, local-path-storage, metrics-server`,
  );
  const api = KubeApi.load({ kubeconfig: paths.kubeconfig });
  const allReady = await waitFor(async () => {
    const objects = await Promise.all(workloads.map((w) => api.get("apps/v1", w.kind, w.name, w.namespace)));
    return objects.every(ready);
  }, 30_000);
  if (!allReady) progress("the add-ons' pods are not all ready yet: kubectl get pods -A shows which");
}
