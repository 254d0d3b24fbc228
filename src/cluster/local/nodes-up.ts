import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeApi, type KubeObject } from "../api.js";
import type { Progress } from "./build.js";
import type { LocalPaths } from "./components.js";
import { ensureKubeadmConfigMaps, ensureNodeKubeadmFiles } from "./kubeadm-files.js";
import { createNodeRoot, ensureCniConfig, localNodes, nodeObject } from "./nodes.js";
import { waitFor } from "./processes.js";

const isReady = (node: KubeObject) =>
  ((node.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
    (c) => c.type === "Ready" && c.status === "True",
  );

/** A node whose kubelet the learner disabled comes up NotReady after a restart, as after a reboot. */
const kubeletDisabled = (paths: LocalPaths, node: string) => {
  const file = join(paths.nodes, node, "var/lib/kubedrill/services/kubelet.enabled");
  return existsSync(file) && readFileSync(file, "utf8").trim() === "disabled";
};

/**
 * Registers whichever of the three nodes is missing (an interrupted `up` may have
 * registered none) and waits until all are Ready. A node folder that exists is left
 * as it is: it holds what the learner changed on the node.
 */
export async function ensureNodes(
  paths: LocalPaths,
  apiserverPort: number,
  progress: Progress,
): Promise<{ ready: boolean; created: string[]; identity: string }> {
  const api = KubeApi.load({ kubeconfig: paths.kubeconfig });
  const created: string[] = [];
  for (const node of localNodes) {
    // "var", not the node's folder: the control-plane node's holds the PKI before the node is laid out.
    if (!existsSync(join(paths.nodes, node.name, "var"))) await createNodeRoot(paths.nodes, node.name);
    await ensureNodeKubeadmFiles(paths, node.name, apiserverPort);
    await ensureCniConfig(paths.nodes, node);
    if ((await api.get("v1", "Node", node.name)) !== undefined) continue;
    await api.create(nodeObject(node));
    created.push(node.name);
  }
  await ensureKubeadmConfigMaps(api, paths, apiserverPort);
  if (created.length > 0) progress(`registered node(s) ${created.join(", ")}`);
  const ready = await waitFor(async () => {
    const nodes = await api.list("v1", "Node");
    const ours = nodes.filter((n) => localNodes.some((l) => l.name === n.metadata?.name));
    // Pods are refused until the namespace's default ServiceAccount exists.
    const account = await api.get("v1", "ServiceAccount", "default", "default");
    const up = ours.every((n) => isReady(n) || kubeletDisabled(paths, String(n.metadata?.name)));
    return ours.length === localNodes.length && up && account !== undefined;
  }, 60_000);
  if (ready && created.length > 0) await settleNewNodes(api, created);
  const kubeSystem = await api.get("v1", "Namespace", "kube-system");
  return { ready, created, identity: String(kubeSystem?.metadata?.uid ?? "") };
}

const notReadyTaint = "node.kubernetes.io/not-ready";
type Taint = { key: string; value?: string; effect: string };
const taintsOf = (node: KubeObject | undefined) =>
  (node?.spec as { taints?: Taint[] } | undefined)?.taints ?? [];

/**
 * New nodes carry the node controller's not-ready taint until it sees them Ready:
 * a task started before it is gone would find its pods Pending for a moment.
 */
async function settleNewNodes(api: KubeApi, created: string[]): Promise<void> {
  await waitFor(async () => {
    const nodes = await Promise.all(created.map((name) => api.get("v1", "Node", name)));
    return nodes.every((n) => !taintsOf(n).some((t) => t.key === notReadyTaint));
  }, 30_000);
}
