import type { NodePath } from "../catalog/schema.js";
import { ClusterError, SetupError } from "../errors.js";
import { poll } from "../model/poll.js";
import type { NodeFiles } from "./cleanup-apply.js";
import type { ClusterReader } from "./ports.js";

// What setup and reset do to the control plane itself: an etcd snapshot saved as a learner
// saves one, and the control plane restarted as the Kubernetes docs advise after an etcd restore.

/** kubeadm's etcd client certificates, as the catalog's etcd tasks name them. */
export const etcdSnapshotCommand = (path: string) => [
  "etcdctl",
  "--endpoints=https://127.0.0.1:2379",
  "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
  "--cert=/etc/kubernetes/pki/etcd/server.crt",
  "--key=/etc/kubernetes/pki/etcd/server.key",
  "snapshot",
  "save",
  path,
];

export async function saveEtcdSnapshot(nodes: NodeFiles, { node, path }: NodePath, task: string) {
  const result = await nodes.exec(node, etcdSnapshotCommand(path));
  if (result.exitCode === 0) return;
  const said = (result.stderr.trim() || result.stdout.trim()).split("\n").at(-1) ?? "";
  throw new SetupError(
    `setup of task ${task} could not save an etcd snapshot to ${node}:${path} (etcdctl exited ${result.exitCode}): ${said || "no message"}`,
    3,
    "kubedrill cluster status shows whether etcd runs; kubedrill reset puts the control plane back",
  );
}

export const apiServerManifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
/** The components the Kubernetes docs restart after an etcd restore, the API server first. */
const controlPlaneManifests = [
  apiServerManifest,
  "/etc/kubernetes/manifests/kube-controller-manager.yaml",
  "/etc/kubernetes/manifests/kube-scheduler.yaml",
];
/** Where a control-plane manifest waits while it is out of the manifests folder. */
export const restartCopy = (task: string, manifest: string) =>
  `/var/lib/kubedrill/restart/${task}/${manifest.slice(manifest.lastIndexOf("/") + 1)}`;

/**
 * Manifests that a restart took out and an interrupted reset never put back are put back
 * first, before anything asks the API server.
 */
export async function putBackControlPlane(nodes: NodeFiles, node: string, task: string): Promise<boolean> {
  let written = false;
  for (const manifest of controlPlaneManifests) {
    const waiting = await nodes.read(node, restartCopy(task, manifest));
    if (waiting === undefined || (await nodes.read(node, manifest)) !== undefined) continue;
    await nodes.write(node, manifest, waiting);
    written = true;
  }
  return written;
}

/**
 * Restarts the API server, the controller manager and the scheduler as one restarts any
 * static pod: their manifests leave the manifests folder until the kubelet has stopped the
 * API server (/readyz stops answering), then come back. The controllers restart with it
 * because their informers may hold what the restore took back, or what an etcd started on
 * an empty folder said meanwhile. The manifests wait on the node, so an interrupted reset
 * finds them (putBackControlPlane).
 */
export async function restartControlPlane(
  nodes: NodeFiles,
  cluster: Pick<ClusterReader, "notReady">,
  node: string,
  task: string,
  timeoutMs: number,
): Promise<void> {
  if (!cluster.notReady) return;
  const present: [string, string][] = [];
  for (const manifest of controlPlaneManifests) {
    const content = await nodes.read(node, manifest);
    if (content !== undefined) present.push([manifest, content]);
  }
  if (!present.some(([manifest]) => manifest === apiServerManifest)) return;
  for (const [manifest, content] of present) await nodes.write(node, restartCopy(task, manifest), content);
  for (const [manifest] of present) await nodes.remove(node, manifest);
  const stopped = await poll(async () => ((await cluster.notReady?.()) === undefined ? undefined : true), {
    timeoutMs,
    intervalMs: 250,
  });
  for (const [manifest, content] of present) {
    await nodes.write(node, manifest, content);
    await nodes.remove(node, restartCopy(task, manifest));
  }
  if (!stopped) {
    throw new ClusterError(
      `reset of task ${task}: the API server still answered ${Math.round(timeoutMs / 1000)}s after its manifest left ${node}:/etc/kubernetes/manifests`,
      undefined,
      `is the kubelet on ${node} running? kubedrill node exec ${node} -- systemctl status kubelet`,
    );
  }
}
