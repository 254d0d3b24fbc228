import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KubeObject } from "../api.js";

/** Named as kind names the nodes of a cluster called "kubedrill", so tasks work on both. */
export const localNodes = [
  { name: "kubedrill-control-plane", ip: "172.18.0.2", controlPlane: true },
  { name: "kubedrill-worker", ip: "172.18.0.3", controlPlane: false },
  { name: "kubedrill-worker2", ip: "172.18.0.4", controlPlane: false },
] as const;

export const pauseImage = "registry.k8s.io/pause:3.10";

const kubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
staticPodPath: /etc/kubernetes/manifests
`;

const containerdConfig = `version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"

[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
`;

/** Lays out a node's root folder with the files a kind node has at the same paths. */
export async function createNodeRoot(nodesDir: string, name: string): Promise<void> {
  const root = join(nodesDir, name);
  await mkdir(join(root, "etc/kubernetes/manifests"), { recursive: true });
  await mkdir(join(root, "var/lib/kubelet"), { recursive: true });
  await mkdir(join(root, "etc/containerd"), { recursive: true });
  await writeFile(join(root, "var/lib/kubelet/config.yaml"), kubeletConfig);
  await writeFile(join(root, "etc/containerd/config.toml"), containerdConfig);
}

export function nodeObject(node: (typeof localNodes)[number]): KubeObject {
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": node.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "beta.kubernetes.io/arch": "amd64",
  };
  if (node.controlPlane) labels["node-role.kubernetes.io/control-plane"] = "";
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      labels,
      // kwok manages the nodes that carry this annotation.
      annotations: { "kwok.x-k8s.io/node": "fake", "kubedrill.dev/internal-ip": node.ip },
    },
    spec: node.controlPlane
      ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }
      : {},
  };
}
