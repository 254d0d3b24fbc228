import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { KubeObject } from "../api.js";

/** Named as kind names the nodes of a cluster called "kubedrill", so tasks work on both. */
export const localNodes = [
  { name: "kubedrill-control-plane", ip: "172.18.0.2", podCIDR: "10.244.0.0/24", controlPlane: true },
  { name: "kubedrill-worker", ip: "172.18.0.3", podCIDR: "10.244.1.0/24", controlPlane: false },
  { name: "kubedrill-worker2", ip: "172.18.0.4", podCIDR: "10.244.2.0/24", controlPlane: false },
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

// kind's, in the parts that tasks read: the pause image, runc as the default runtime, and
// the systemd cgroup driver that matches the kubelet's cgroupDriver.
const containerdConfig = `version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"

[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
`;

/** kindnet's CNI configuration, as kind writes it on each node for the node's pod range. */
const kindnetConflist = (podCIDR: string) => `{
	"cniVersion": "0.3.1",
	"name": "kindnet",
	"plugins": [
	{
		"type": "ptp",
		"ipMasq": false,
		"ipam": {
			"type": "host-local",
			"dataDir": "/run/cni-ipam-state",
			"routes": [
				{ "dst": "0.0.0.0/0" }
			],
			"ranges": [
				[ { "subnet": "${podCIDR}" } ]
			]
		},
		"mtu": 1500
	},
	{
		"type": "portmap",
		"capabilities": {
			"portMappings": true
		}
	}
	]
}
`;

/** Writes kindnet's /etc/cni/net.d/10-kindnet.conflist when it is missing (one that exists holds the learner's changes). */
export async function ensureCniConfig(nodesDir: string, node: (typeof localNodes)[number]): Promise<void> {
  const file = join(nodesDir, node.name, "etc/cni/net.d/10-kindnet.conflist");
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, kindnetConflist(node.podCIDR));
}

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
    spec: {
      // What the node-ipam controller gives each kind node; kwok takes pod IPs from it.
      podCIDR: node.podCIDR,
      podCIDRs: [node.podCIDR],
      ...(node.controlPlane
        ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }
        : {}),
    },
  };
}
