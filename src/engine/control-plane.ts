import type { NodePath } from "../catalog/schema.js";
import { ClusterError, SetupError } from "../errors.js";
import { poll } from "../model/poll.js";
import type { NodeFiles } from "./cleanup-apply.js";
import type { ClusterReader } from "./ports.js";

// What setup and reset do to the control plane itself: an etcd snapshot saved as a learner
// saves one, and an API server restarted as the Kubernetes docs advise after an etcd restore.

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
/** Where the API server's manifest waits while it is out of the manifests folder. */
export const restartCopy = (task: string) => `/var/lib/kubedrill/restart/${task}/kube-apiserver.yaml`;

/**
 * A manifest that a restart took out and an interrupted reset never put back is put back
 * first, before anything asks the API server.
 */
export async function putBackApiServer(nodes: NodeFiles, node: string, task: string): Promise<boolean> {
  const waiting = await nodes.read(node, restartCopy(task));
  if (waiting === undefined || (await nodes.read(node, apiServerManifest)) !== undefined) return false;
  await nodes.write(node, apiServerManifest, waiting);
  return true;
}

/**
 * Restarts the API server as one restarts any static pod: its manifest leaves the manifests
 * folder until the kubelet has stopped it (/readyz stops answering), then comes back. The
 * manifest waits on the node meanwhile, so an interrupted reset finds it (putBackApiServer).
 */
export async function restartApiServer(
  nodes: NodeFiles,
  cluster: Pick<ClusterReader, "notReady">,
  node: string,
  task: string,
  timeoutMs: number,
): Promise<void> {
  const manifest = await nodes.read(node, apiServerManifest);
  if (manifest === undefined || !cluster.notReady) return;
  await nodes.write(node, restartCopy(task), manifest);
  await nodes.remove(node, apiServerManifest);
  const stopped = await poll(async () => ((await cluster.notReady?.()) === undefined ? undefined : true), {
    timeoutMs,
    intervalMs: 250,
  });
  await nodes.write(node, apiServerManifest, manifest);
  await nodes.remove(node, restartCopy(task));
  if (!stopped) {
    throw new ClusterError(
      `reset of task ${task}: the API server still answered ${Math.round(timeoutMs / 1000)}s after its manifest left ${node}:/etc/kubernetes/manifests`,
      undefined,
      `is the kubelet on ${node} running? kubedrill node exec ${node} -- systemctl status kubelet`,
    );
  }
}
