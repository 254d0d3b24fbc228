import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { kubernetesVersion } from "./build.js";
import type { LocalPaths, Ports, StaticPodComponent } from "./components.js";
import { kubeadmKubeconfig, networking } from "./kubeadm-files.js";
import { createNodeRoot } from "./nodes.js";

// The control plane as `kubeadm init` lays it out on its node: one static-pod manifest
// per component in /etc/kubernetes/manifests, with kubeadm's flags in kubeadm's order,
// and the kubeconfig files they read. The control-plane node's kubelet
// (scripts/local-cluster/cpkubelet.go) runs what these files say.

export const etcdImage = "registry.k8s.io/etcd:3.5.21-0";

/** The images the control-plane node can "pull": its components' own. */
export function controlPlaneImages(): string[] {
  const kube = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];
  return [...kube.map((c) => `registry.k8s.io/${c}:${kubernetesVersion}`), etcdImage];
}

type HostPathType = "DirectoryOrCreate" | "FileOrCreate";
interface Mount {
  name: string;
  path: string;
  type: HostPathType;
  readOnly?: boolean;
}

interface Probe {
  path: string;
  port: number;
  scheme: "HTTP" | "HTTPS";
}

const caMounts: Mount[] = [
  { name: "ca-certs", path: "/etc/ssl/certs", type: "DirectoryOrCreate", readOnly: true },
  { name: "etc-ca-certificates", path: "/etc/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
  { name: "k8s-certs", path: "/etc/kubernetes/pki", type: "DirectoryOrCreate", readOnly: true },
  {
    name: "usr-local-share-ca-certificates",
    path: "/usr/local/share/ca-certificates",
    type: "DirectoryOrCreate",
    readOnly: true,
  },
  {
    name: "usr-share-ca-certificates",
    path: "/usr/share/ca-certificates",
    type: "DirectoryOrCreate",
    readOnly: true,
  },
];

const httpGet = (probe: Probe) => ({
  host: "127.0.0.1",
  path: probe.path,
  port: probe.port,
  scheme: probe.scheme,
});

/** A static pod in the shape and key order kubeadm writes it (Go's marshaller sorts keys). */
function staticPod(spec: {
  name: StaticPodComponent;
  image: string;
  command: string[];
  liveness: Probe;
  readiness?: Probe;
  startup: Probe;
  requests: Record<string, string>;
  mounts: Mount[];
  annotations?: Record<string, string>;
}): object {
  const byName = [...spec.mounts].sort((a, b) => a.name.localeCompare(b.name));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
      labels: { component: spec.name, tier: "control-plane" },
      name: spec.name,
      namespace: "kube-system",
    },
    spec: {
      containers: [
        {
          command: spec.command,
          image: spec.image,
          imagePullPolicy: "IfNotPresent",
          livenessProbe: {
            failureThreshold: 8,
            httpGet: httpGet(spec.liveness),
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
          },
          name: spec.name,
          ...(spec.readiness
            ? {
                readinessProbe: {
                  failureThreshold: 3,
                  httpGet: httpGet(spec.readiness),
                  periodSeconds: 1,
                  timeoutSeconds: 15,
                },
              }
            : {}),
          resources: { requests: spec.requests },
          startupProbe: {
            failureThreshold: 24,
            httpGet: httpGet(spec.startup),
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
          },
          volumeMounts: byName.map((m) => ({
            mountPath: m.path,
            name: m.name,
            ...(m.readOnly ? { readOnly: true } : {}),
          })),
        },
      ],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      volumes: byName.map((m) => ({ hostPath: { path: m.path, type: m.type }, name: m.name })),
    },
    status: {},
  };
}

const pki = (file: string) => `/etc/kubernetes/pki/${file}`;

/** The ports the control plane's manifests name (metrics-server's is not among them). */
type ManifestPorts = Required<Omit<Ports, "metricsServer">>;

/**
 * The four manifests for the cluster's ports. Where kubedrill's flags differ from
 * kubeadm's, it is for the local machine: every port is chosen at `cluster up` (several
 * clusters may share a machine), everything binds to loopback, leader election is off
 * (one replica; a restart needs no lease hand-over), pod IPs come from kwok (no
 * nodeipam) and etcd does not fsync (a practice cluster, as kind's tmpfs etcd).
 */
export function controlPlaneManifests(
  ports: ManifestPorts,
  etcdName: string,
): Record<StaticPodComponent, object> {
  const cmConf = "/etc/kubernetes/controller-manager.conf";
  const schedulerConf = "/etc/kubernetes/scheduler.conf";
  const peer = `https://127.0.0.1:${ports.etcdPeer}`;
  return {
    etcd: staticPod({
      name: "etcd",
      image: etcdImage,
      annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://127.0.0.1:${ports.etcd}` },
      command: [
        "etcd",
        `--advertise-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--cert-file=${pki("etcd/server.crt")}`,
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s",
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${etcdName}=${peer}`,
        `--key-file=${pki("etcd/server.key")}`,
        `--listen-client-urls=https://127.0.0.1:${ports.etcd}`,
        `--listen-metrics-urls=http://127.0.0.1:${ports.etcdMetrics}`,
        `--listen-peer-urls=${peer}`,
        `--name=${etcdName}`,
        `--peer-cert-file=${pki("etcd/peer.crt")}`,
        "--peer-client-cert-auth=true",
        `--peer-key-file=${pki("etcd/peer.key")}`,
        `--peer-trusted-ca-file=${pki("etcd/ca.crt")}`,
        "--snapshot-count=10000",
        `--trusted-ca-file=${pki("etcd/ca.crt")}`,
        "--unsafe-no-fsync=true",
      ],
      liveness: { path: "/livez", port: ports.etcdMetrics, scheme: "HTTP" },
      readiness: { path: "/readyz", port: ports.etcdMetrics, scheme: "HTTP" },
      startup: { path: "/readyz", port: ports.etcdMetrics, scheme: "HTTP" },
      requests: { cpu: "100m", memory: "100Mi" },
      mounts: [
        { name: "etcd-certs", path: "/etc/kubernetes/pki/etcd", type: "DirectoryOrCreate" },
        { name: "etcd-data", path: "/var/lib/etcd", type: "DirectoryOrCreate" },
      ],
    }),
    "kube-apiserver": staticPod({
      name: "kube-apiserver",
      image: `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
      annotations: {
        "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `127.0.0.1:${ports.apiserver}`,
      },
      command: [
        "kube-apiserver",
        "--advertise-address=127.0.0.1",
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        "--bind-address=127.0.0.1",
        `--client-ca-file=${pki("ca.crt")}`,
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        `--etcd-cafile=${pki("etcd/ca.crt")}`,
        `--etcd-certfile=${pki("apiserver-etcd-client.crt")}`,
        `--etcd-keyfile=${pki("apiserver-etcd-client.key")}`,
        `--etcd-servers=https://127.0.0.1:${ports.etcd}`,
        `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
        // The nodes' InternalDNS address is this machine, where the node agent serves their kubelet API.
        "--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname,ExternalDNS,ExternalIP",
        "--profiling=false",
        `--proxy-client-cert-file=${pki("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${pki("front-proxy-client.key")}`,
        "--requestheader-allowed-names=front-proxy-client",
        `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        `--secure-port=${ports.apiserver}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki("sa.pub")}`,
        `--service-account-signing-key-file=${pki("sa.key")}`,
        `--service-cluster-ip-range=${networking.serviceSubnet}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
      ],
      liveness: { path: "/livez", port: ports.apiserver, scheme: "HTTPS" },
      readiness: { path: "/readyz", port: ports.apiserver, scheme: "HTTPS" },
      startup: { path: "/livez", port: ports.apiserver, scheme: "HTTPS" },
      requests: { cpu: "250m" },
      mounts: caMounts,
    }),
    "kube-controller-manager": staticPod({
      name: "kube-controller-manager",
      image: `registry.k8s.io/kube-controller-manager:${kubernetesVersion}`,
      command: [
        "kube-controller-manager",
        `--authentication-kubeconfig=${cmConf}`,
        `--authorization-kubeconfig=${cmConf}`,
        "--bind-address=127.0.0.1",
        `--client-ca-file=${pki("ca.crt")}`,
        "--cluster-name=kubedrill",
        `--cluster-signing-cert-file=${pki("ca.crt")}`,
        `--cluster-signing-key-file=${pki("ca.key")}`,
        "--controllers=*,bootstrapsigner,tokencleaner,-nodeipam",
        `--kubeconfig=${cmConf}`,
        "--leader-elect=false",
        `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
        `--root-ca-file=${pki("ca.crt")}`,
        `--secure-port=${ports.controllerManager}`,
        `--service-account-private-key-file=${pki("sa.key")}`,
        `--service-cluster-ip-range=${networking.serviceSubnet}`,
        "--use-service-account-credentials=false",
      ],
      liveness: { path: "/healthz", port: ports.controllerManager, scheme: "HTTPS" },
      startup: { path: "/healthz", port: ports.controllerManager, scheme: "HTTPS" },
      requests: { cpu: "200m" },
      mounts: [
        ...caMounts,
        {
          name: "flexvolume-dir",
          path: "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
          type: "DirectoryOrCreate",
        },
        { name: "kubeconfig", path: cmConf, type: "FileOrCreate", readOnly: true },
      ],
    }),
    "kube-scheduler": staticPod({
      name: "kube-scheduler",
      image: `registry.k8s.io/kube-scheduler:${kubernetesVersion}`,
      command: [
        "kube-scheduler",
        `--authentication-kubeconfig=${schedulerConf}`,
        `--authorization-kubeconfig=${schedulerConf}`,
        "--bind-address=127.0.0.1",
        `--kubeconfig=${schedulerConf}`,
        "--leader-elect=false",
        `--secure-port=${ports.scheduler}`,
      ],
      liveness: { path: "/healthz", port: ports.scheduler, scheme: "HTTPS" },
      startup: { path: "/healthz", port: ports.scheduler, scheme: "HTTPS" },
      requests: { cpu: "100m" },
      mounts: [{ name: "kubeconfig", path: schedulerConf, type: "FileOrCreate", readOnly: true }],
    }),
  };
}

/** kubeadm's kubeconfig files on the control-plane node, by file name, with the user each names. */
const kubeconfigUsers: Record<string, string> = {
  "admin.conf": "kubernetes-admin",
  "super-admin.conf": "kubernetes-super-admin",
  "controller-manager.conf": "system:kube-controller-manager",
  "scheduler.conf": "system:kube-scheduler",
};

/**
 * Lays out the control-plane node as kubeadm does, for what is missing: the kubeconfig
 * files (one that exists holds the learner's changes) and, once in a cluster's life
 * (`writeManifests`), the manifests: a manifest the learner moved out stays out.
 * A cluster made before its etcd data lived on the node moves it there and keeps its
 * etcd member name.
 */
export async function ensureControlPlaneFiles(
  paths: LocalPaths,
  ports: ManifestPorts,
  writeManifests: boolean,
): Promise<void> {
  // "var", not the node's folder: the node's folder holds the PKI before the node is laid out.
  if (!existsSync(join(paths.controlPlane, "var")))
    await createNodeRoot(paths.nodes, "kubedrill-control-plane");
  const etc = join(paths.controlPlane, "etc/kubernetes");
  for (const [file, user] of Object.entries(kubeconfigUsers)) {
    const path = join(etc, file);
    if (!existsSync(path))
      await writeFile(path, await kubeadmKubeconfig(paths, user, ports.apiserver), { mode: 0o600 });
  }
  const oldEtcd = join(paths.root, "etcd");
  const moved = existsSync(oldEtcd) && !existsSync(paths.etcdData);
  if (moved) {
    await mkdir(dirname(paths.etcdData), { recursive: true });
    await rename(oldEtcd, paths.etcdData);
  }
  // kubeadm makes etcd's data folder private before etcd starts; the kubelet would make it 0755.
  if (!existsSync(paths.etcdData)) await mkdir(paths.etcdData, { recursive: true, mode: 0o700 });
  if (!writeManifests) return;
  const manifests = controlPlaneManifests(ports, moved ? "kubedrill" : "kubedrill-control-plane");
  await mkdir(join(etc, "manifests"), { recursive: true });
  for (const [name, pod] of Object.entries(manifests)) {
    await writeFile(
      join(etc, "manifests", `${name}.yaml`),
      stringify(pod, { lineWidth: 0, indentSeq: false }),
      { mode: 0o600 },
    );
  }
}
