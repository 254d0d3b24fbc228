import { join } from "node:path";
import { stateDir } from "./paths.js";

/** The processes of the local cluster, how each is started, and where it says it is healthy. */
export const componentNames = [
  "kubelet",
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "metrics-server",
] as const;
export type Component = (typeof componentNames)[number];

/** The control plane: the control-plane node's kubelet runs these from their static-pod manifests. */
export const staticPodComponents = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
] as const;
export type StaticPodComponent = (typeof staticPodComponents)[number];
/** The processes `cluster up` starts itself. */
export type StartedComponent = Exclude<Component, StaticPodComponent>;

export const isComponent = (name: string): name is Component =>
  (componentNames as readonly string[]).includes(name);

export const isStaticPodComponent = (name: string): name is StaticPodComponent =>
  (staticPodComponents as readonly string[]).includes(name);

export interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  /** The nodes' kubelet API (logs), served by the node agent; absent in states recorded before it. */
  kubelet?: number;
  /** etcd's plain-HTTP metrics and health (kubeadm's 2381); absent in states recorded before it. */
  etcdMetrics?: number;
  /** metrics-server's API, which the API server's aggregator proxies; absent in states recorded before it. */
  metricsServer?: number;
}

export interface LocalPaths {
  root: string;
  pki: string;
  logs: string;
  nodes: string;
  kubeconfig: string;
  stateFile: string;
  /** The control-plane node's folder, its "/". */
  controlPlane: string;
  /** etcd's data (the node's /var/lib/etcd): it survives component restarts and `cluster up` repairs; only down or --fresh delete it. */
  etcdData: string;
  /** Beside the folder, not in it, so `down` can delete the whole folder while holding it. */
  lockFile: string;
}

export function localPaths(root = stateDir()): LocalPaths {
  const controlPlane = join(root, "nodes", "kubedrill-control-plane");
  return {
    root,
    // Where kubeadm keeps it: the control-plane node's /etc/kubernetes/pki.
    pki: join(controlPlane, "etc", "kubernetes", "pki"),
    logs: join(root, "logs"),
    nodes: join(root, "nodes"),
    kubeconfig: join(root, "admin.kubeconfig"),
    stateFile: join(root, "state.json"),
    controlPlane,
    etcdData: join(controlPlane, "var", "lib", "etcd"),
    lockFile: `${root}.lock`,
  };
}

/** How `cluster up` starts the processes it runs itself; the control plane's flags are in its manifests. */
export function args(
  name: StartedComponent,
  paths: LocalPaths,
  ports: Ports,
  stages: string,
  images: string[],
): string[] {
  switch (name) {
    case "kubelet":
      return [
        `--root=${paths.root}`,
        `--nodes-dir=${paths.nodes}`,
        `--kubeconfig=${paths.kubeconfig}`,
        `--images=${images.join(",")}`,
        ...(ports.kubelet
          ? [`--kubelet-address=127.0.0.1:${ports.kubelet}`, `--client-ca=${join(paths.pki, "ca.crt")}`]
          : []),
      ];
    case "kwok":
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--config=${stages}`,
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--cidr=10.244.0.0/16",
        "--node-lease-duration-seconds=40",
        `--server-address=127.0.0.1:${ports.kwok}`,
      ];
    case "metrics-server":
      // The flags of metrics-server's own manifest, with what a kind user adds
      // (--kubelet-insecure-tls: kubelets serve self-signed certificates); it scrapes every
      // node at the agent's port, under the path each node's annotation names.
      return [
        `--secure-port=${ports.metricsServer}`,
        "--bind-address=127.0.0.1",
        `--cert-dir=${join(paths.root, "metrics-server")}`,
        `--kubeconfig=${paths.kubeconfig}`,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        "--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname",
        "--kubelet-use-node-status-port",
        "--kubelet-insecure-tls",
        `--kubelet-client-certificate=${join(paths.pki, "apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${join(paths.pki, "apiserver-kubelet-client.key")}`,
        "--metric-resolution=15s",
      ];
  }
}

/** The client certificate a health probe presents, as files under pki/ (kubeadm's names). */
export interface ProbeIdentity {
  cert: string;
  key: string;
  /** The CA that signed the server's certificate; none for a server that made its own. */
  ca?: string;
}

const adminProbe: ProbeIdentity = { cert: "admin.crt", key: "admin.key", ca: "ca.crt" };
// The controller manager and scheduler serve a self-signed certificate of their own making.
const selfSignedProbe: ProbeIdentity = { cert: "admin.crt", key: "admin.key" };
// kubeadm's etcd liveness probe uses this certificate for the same purpose.
const etcdProbe: ProbeIdentity = {
  cert: "etcd/healthcheck-client.crt",
  key: "etcd/healthcheck-client.key",
  ca: "etcd/ca.crt",
};

/** What answers "are you healthy" for each component, on loopback, and with which certificate. */
export function health(name: Component, ports: Ports): { url: string; identity?: ProbeIdentity } | undefined {
  switch (name) {
    case "etcd":
      return { url: `https://127.0.0.1:${ports.etcd}/health`, identity: etcdProbe };
    case "kube-apiserver":
      return { url: `https://127.0.0.1:${ports.apiserver}/readyz`, identity: adminProbe };
    case "kube-controller-manager":
      return { url: `https://127.0.0.1:${ports.controllerManager}/healthz`, identity: selfSignedProbe };
    case "kube-scheduler":
      return { url: `https://127.0.0.1:${ports.scheduler}/healthz`, identity: selfSignedProbe };
    case "kwok":
      return { url: `http://127.0.0.1:${ports.kwok}/healthz` };
    case "metrics-server":
      // /livez: /readyz waits for the first scrape, which `up` need not wait for.
      return { url: `https://127.0.0.1:${ports.metricsServer}/livez`, identity: selfSignedProbe };
    case "kubelet":
      return undefined;
  }
}
