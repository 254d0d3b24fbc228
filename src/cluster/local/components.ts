import { join } from "node:path";
import { stateDir } from "./paths.js";

/** The processes of the local cluster, how each is started, and where it says it is healthy. */
export const componentNames = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "static-pods",
] as const;
export type Component = (typeof componentNames)[number];

export interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  /** The nodes' kubelet API (logs), served by the node agent; absent in states recorded before it. */
  kubelet?: number;
}

export interface LocalPaths {
  root: string;
  pki: string;
  logs: string;
  nodes: string;
  kubeconfig: string;
  stateFile: string;
  /** etcd's data: it survives component restarts and `cluster up` repairs; only down or --fresh delete it. */
  etcdData: string;
  /** Beside the folder, not in it, so `down` can delete the whole folder while holding it. */
  lockFile: string;
}

export function localPaths(root = stateDir()): LocalPaths {
  return {
    root,
    // Where kubeadm keeps it: the control-plane node's /etc/kubernetes/pki.
    pki: join(root, "nodes", "kubedrill-control-plane", "etc", "kubernetes", "pki"),
    logs: join(root, "logs"),
    nodes: join(root, "nodes"),
    kubeconfig: join(root, "admin.kubeconfig"),
    stateFile: join(root, "state.json"),
    etcdData: join(root, "etcd"),
    lockFile: `${root}.lock`,
  };
}

export function args(name: Component, paths: LocalPaths, ports: Ports, stages: string): string[] {
  const pki = (f: string) => join(paths.pki, f);
  const kube = [
    `--kubeconfig=${paths.kubeconfig}`,
    `--authentication-kubeconfig=${paths.kubeconfig}`,
    `--authorization-kubeconfig=${paths.kubeconfig}`,
    "--bind-address=127.0.0.1",
    "--leader-elect=false",
  ];
  switch (name) {
    case "etcd":
      // TLS with client-certificate auth on both ports, with the flags kubeadm's etcd manifest uses.
      return [
        "--name=kubedrill",
        `--data-dir=${paths.etcdData}`,
        `--listen-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--listen-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=https://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=kubedrill=https://127.0.0.1:${ports.etcdPeer}`,
        `--cert-file=${pki("etcd/server.crt")}`,
        `--key-file=${pki("etcd/server.key")}`,
        "--client-cert-auth=true",
        `--trusted-ca-file=${pki("etcd/ca.crt")}`,
        `--peer-cert-file=${pki("etcd/peer.crt")}`,
        `--peer-key-file=${pki("etcd/peer.key")}`,
        "--peer-client-cert-auth=true",
        `--peer-trusted-ca-file=${pki("etcd/ca.crt")}`,
        // A practice cluster trades durability for speed, as kind's tmpfs etcd does.
        "--unsafe-no-fsync",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [
        `--etcd-servers=https://127.0.0.1:${ports.etcd}`,
        `--etcd-cafile=${pki("etcd/ca.crt")}`,
        `--etcd-certfile=${pki("apiserver-etcd-client.crt")}`,
        `--etcd-keyfile=${pki("apiserver-etcd-client.key")}`,
        "--bind-address=127.0.0.1",
        // Without a default route the server cannot pick its own address.
        "--advertise-address=127.0.0.1",
        `--secure-port=${ports.apiserver}`,
        `--cert-dir=${paths.pki}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
        // The nodes' InternalDNS address is this machine, where the node agent serves their kubelet API.
        "--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname,ExternalDNS,ExternalIP",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki("sa.pub")}`,
        `--service-account-signing-key-file=${pki("sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        "--authorization-mode=Node,RBAC",
        "--allow-privileged=true",
        "--profiling=false",
      ];
    case "kube-controller-manager":
      return [
        ...kube,
        `--secure-port=${ports.controllerManager}`,
        `--service-account-private-key-file=${pki("sa.key")}`,
        `--root-ca-file=${pki("ca.crt")}`,
        `--cluster-signing-cert-file=${pki("ca.crt")}`,
        `--cluster-signing-key-file=${pki("ca.key")}`,
        "--use-service-account-credentials=false",
        // Pod IPs come from kwok, not from node podCIDRs.
        "--controllers=*,-nodeipam",
      ];
    case "kube-scheduler":
      return [...kube, `--secure-port=${ports.scheduler}`];
    case "kwok":
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--config=${stages}`,
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--cidr=10.244.0.0/16",
        "--node-lease-duration-seconds=40",
        `--server-address=127.0.0.1:${ports.kwok}`,
      ];
    case "static-pods":
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--nodes-dir=${paths.nodes}`,
        ...(ports.kubelet
          ? [`--kubelet-address=127.0.0.1:${ports.kubelet}`, `--client-ca=${pki("ca.crt")}`]
          : []),
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
    case "static-pods":
      return undefined;
  }
}
