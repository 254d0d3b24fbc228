import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { KubeApi, KubeObject } from "../api.js";
import { kubernetesVersion } from "./build.js";
import type { LocalPaths } from "./components.js";

// The files and ConfigMaps `kubeadm init`/`join` leave behind, so a learner who reads
// them on the local cluster finds what a kind cluster has at the same place.

/** kind's defaults: tasks that read the subnets find the same values on both clusters. */
export const networking = {
  podSubnet: "10.244.0.0/16",
  serviceSubnet: "10.96.0.0/16",
  dnsDomain: "cluster.local",
};

/**
 * Writes /etc/kubernetes/kubelet.conf and /etc/kubernetes/pki/ca.crt into a node's
 * folder when they are missing (a file that exists holds what the learner changed).
 * kubelet.conf carries the cluster's admin credentials: no kubelet client certificate
 * is issued for the simulated nodes.
 */
export async function ensureNodeKubeadmFiles(paths: LocalPaths, node: string, port: number): Promise<void> {
  const root = join(paths.nodes, node);
  const kubeletConf = join(root, "etc/kubernetes/kubelet.conf");
  const ca = join(root, "etc/kubernetes/pki/ca.crt");
  await mkdir(dirname(ca), { recursive: true });
  if (!existsSync(kubeletConf))
    await writeFile(kubeletConf, await kubeadmKubeconfig(paths, `system:node:${node}`, port), {
      mode: 0o600,
    });
  if (!existsSync(ca)) await copyFile(join(paths.pki, "ca.crt"), ca);
}

/**
 * A kubeconfig file as kubeadm writes it (kubelet.conf, admin.conf, scheduler.conf…), in
 * its YAML and with its names: cluster "kubernetes", context USER@kubernetes. Every file
 * carries the cluster's admin client certificate: the local cluster issues no
 * per-component certificates.
 */
export async function kubeadmKubeconfig(paths: LocalPaths, user: string, port: number): Promise<string> {
  const data = async (f: string) => (await readFile(join(paths.pki, f))).toString("base64");
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${await data("ca.crt")}
    server: https://127.0.0.1:${port}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: ${user}
  name: ${user}@kubernetes
current-context: ${user}@kubernetes
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${await data("admin.crt")}
    client-key-data: ${await data("admin.key")}
`;
}

const clusterConfiguration = (endpoint: string) => `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubedrill
controlPlaneEndpoint: ${endpoint}
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${kubernetesVersion}
networking:
  dnsDomain: ${networking.dnsDomain}
  podSubnet: ${networking.podSubnet}
  serviceSubnet: ${networking.serviceSubnet}
proxy: {}
scheduler: {}
`;

/** The ConfigMaps kubeadm uploads: kubeadm-config, kubelet-config (kube-system) and cluster-info (kube-public). */
export async function kubeadmConfigMaps(paths: LocalPaths, port: number): Promise<KubeObject[]> {
  const endpoint = `127.0.0.1:${port}`;
  const kubelet = await readFile(
    join(paths.nodes, "kubedrill-control-plane/var/lib/kubelet/config.yaml"),
    "utf8",
  );
  const ca = (await readFile(join(paths.pki, "ca.crt"))).toString("base64");
  const clusterInfo = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${ca}
    server: https://${endpoint}
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`;
  const configMap = (namespace: string, name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { namespace, name },
    data,
  });
  return [
    configMap("kube-system", "kubeadm-config", { ClusterConfiguration: clusterConfiguration(endpoint) }),
    configMap("kube-system", "kubelet-config", { kubelet }),
    configMap("kube-public", "cluster-info", { kubeconfig: clusterInfo }),
  ];
}

/** Creates whichever of kubeadm's ConfigMaps is missing; one the learner edited is left as it is. */
export async function ensureKubeadmConfigMaps(api: KubeApi, paths: LocalPaths, port: number): Promise<void> {
  for (const object of await kubeadmConfigMaps(paths, port)) {
    const { namespace = "", name = "" } = object.metadata ?? {};
    if ((await api.get("v1", "Namespace", namespace)) === undefined) {
      await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    }
    if ((await api.get("v1", "ConfigMap", name, namespace)) === undefined) await api.create(object);
  }
}
