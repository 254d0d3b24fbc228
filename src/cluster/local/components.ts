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
}

export interface LocalPaths {
  root: string;
  pki: string;
  logs: string;
  nodes: string;
  kubeconfig: string;
  stateFile: string;
}

export function localPaths(root = stateDir()): LocalPaths {
  return {
    root,
    pki: join(root, "pki"),
    logs: join(root, "logs"),
    nodes: join(root, "nodes"),
    kubeconfig: join(root, "admin.kubeconfig"),
    stateFile: join(root, "state.json"),
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
      return [
        "--name=kubedrill",
        `--data-dir=${join(paths.root, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=kubedrill=http://127.0.0.1:${ports.etcdPeer}`,
        // A practice cluster trades durability for speed, as kind's tmpfs etcd does.
        "--unsafe-no-fsync",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [
        `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
        "--bind-address=127.0.0.1",
        // Without a default route the server cannot pick its own address.
        "--advertise-address=127.0.0.1",
        `--secure-port=${ports.apiserver}`,
        `--cert-dir=${paths.pki}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
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
      return [`--kubeconfig=${paths.kubeconfig}`, `--nodes-dir=${paths.nodes}`];
  }
}

/** What answers "are you healthy" for each component, as a URL on loopback. */
export function healthUrl(name: Component, ports: Ports): string | undefined {
  switch (name) {
    case "etcd":
      return `http://127.0.0.1:${ports.etcd}/health`;
    case "kube-apiserver":
      return `https://127.0.0.1:${ports.apiserver}/readyz`;
    case "kube-controller-manager":
      return `https://127.0.0.1:${ports.controllerManager}/healthz`;
    case "kube-scheduler":
      return `https://127.0.0.1:${ports.scheduler}/healthz`;
    case "kwok":
      return `http://127.0.0.1:${ports.kwok}/healthz`;
    case "static-pods":
      return undefined;
  }
}
