import { ClusterError, KindNotServedError } from "../errors.js";
import type { Capabilities, CapabilityState } from "../model/capabilities.js";
import { conditionTrue, isReady, type KubeObject } from "../model/kube.js";
import { ApiStatusError, type KubeApi } from "./api.js";
import { findOnPath } from "./tools.js";

export type { Capabilities };

/** What detection reads from the cluster, as the API returns it. */
export interface ClusterFacts {
  nodes: KubeObject[];
  /** Every DaemonSet in the cluster (network plugins run as DaemonSets). */
  daemonSets: KubeObject[];
  /** The Service kube-system/kube-dns, when it exists. */
  dnsService?: KubeObject;
  /** Every StorageClass in the cluster (none: none could be read). */
  storageClasses?: KubeObject[];
  /** The APIService v1beta1.metrics.k8s.io, when it exists. */
  metricsApi?: KubeObject;
  /** The node-access driver for the context, when there is one. */
  nodeAccess?: string;
  /** Where the `helm` executable is on PATH, when it is. */
  helm?: string;
}

const isControlPlane = (node: KubeObject) =>
  Object.keys(node.metadata?.labels ?? {}).some((l) =>
    /^node-role\.kubernetes\.io\/(control-plane|master)$/.test(l),
  );

/** kwok marks the nodes it simulates; the local cluster's nodes are all such. */
const isSimulated = (node: KubeObject) => node.metadata?.annotations?.["kwok.x-k8s.io/node"] === "fake";

export function countWorkers(nodes: KubeObject[]): number {
  return nodes.filter(
    (n) => !isControlPlane(n) && isReady(n) && !(n.spec as { unschedulable?: boolean })?.unschedulable,
  ).length;
}

function containers(nodes: KubeObject[]): CapabilityState {
  const ready = nodes.filter((n) => isReady(n));
  if (ready.length === 0) return { available: false, why: "no node is Ready, so nothing runs" };
  const real = ready.filter((n) => !isSimulated(n));
  if (real.length === 0) {
    return {
      available: false,
      why: "the nodes are simulated (kwok): pods get a status, but no container runs, so no probes, exec or traffic",
    };
  }
  const runtime = (real[0]?.status as { nodeInfo?: { containerRuntimeVersion?: string } })?.nodeInfo
    ?.containerRuntimeVersion;
  return {
    available: true,
    why: `${real.length} Ready node(s) run a container runtime${runtime ? ` (${runtime})` : ""}`,
  };
}

/** Network plugins that enforce NetworkPolicy, by the name of their DaemonSet. */
const enforcing = /^(calico-node|canal|cilium|kube-router|weave-net|antrea-agent|kube-network-policies)$/;
/** kindnet enforces NetworkPolicy from the build kind v0.24.0 shipped (July 2024) on. */
const kindnetWithPolicies = 20240723;

function networkPolicy(daemonSets: KubeObject[], runs: CapabilityState): CapabilityState {
  const names = daemonSets.map((d) => d.metadata?.name ?? "");
  // A plugin's pods that do not really run (the local cluster's kindnet) enforce nothing.
  if (!runs.available && names.length > 0) {
    return { available: false, why: `the network plugin's pods cannot really run here (${runs.why})` };
  }
  const enforcer = names.find((name) => enforcing.test(name));
  if (enforcer) return { available: true, why: `${enforcer} enforces NetworkPolicy` };
  const kindnet = daemonSets.find((d) => d.metadata?.name === "kindnet");
  if (kindnet) {
    const spec = kindnet.spec as {
      template?: { spec?: { containers?: { image?: string; args?: string[] }[] } };
    };
    const container = spec.template?.spec?.containers?.[0];
    const built = Number(/:v(\d{8})/.exec(container?.image ?? "")?.[1] ?? 0);
    const disabled = container?.args?.includes("--network-policy=false") ?? false;
    if (built >= kindnetWithPolicies && !disabled) {
      return { available: true, why: `kindnet (${container?.image}) enforces NetworkPolicy` };
    }
    return {
      available: false,
      why: `kindnet (${container?.image ?? "unknown image"}) does not enforce NetworkPolicy`,
    };
  }
  const found = names.length ? ` (DaemonSets: ${names.join(", ")})` : "";
  return { available: false, why: `no network plugin that enforces NetworkPolicy is installed${found}` };
}

function metricsServer(apiService: KubeObject | undefined): CapabilityState {
  if (!apiService)
    return { available: false, why: "metrics.k8s.io is not served: metrics-server is not installed" };
  if (!conditionTrue(apiService, "Available")) {
    return {
      available: false,
      why: "metrics.k8s.io is registered but not Available: metrics-server is not ready",
    };
  }
  return { available: true, why: "metrics.k8s.io is Available (kubectl top works)" };
}

function dns(service: KubeObject | undefined, runs: CapabilityState): CapabilityState {
  if (!service) return { available: false, why: "there is no Service kube-system/kube-dns (CoreDNS)" };
  if (!runs.available)
    return { available: false, why: "kube-dns exists, but its pods cannot really run here" };
  return { available: true, why: "Service kube-system/kube-dns exists" };
}

const defaultClass = "storageclass.kubernetes.io/is-default-class";
/** The annotation Kubernetes still honours from before storage.k8s.io/v1. */
const betaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class";

function provisioner(classes: KubeObject[]): CapabilityState {
  const isDefault = (c: KubeObject) =>
    [defaultClass, betaDefaultClass].some((a) => c.metadata?.annotations?.[a] === "true");
  const provisionerOf = (c: KubeObject) => String((c as { provisioner?: string }).provisioner ?? "");
  const provisioning = classes.filter(
    (c) => isDefault(c) && provisionerOf(c) !== "kubernetes.io/no-provisioner",
  );
  const found = provisioning[0];
  if (!found) return { available: false, why: "no default StorageClass names a provisioner" };
  return {
    available: true,
    why: `StorageClass ${found.metadata?.name} is the default (provisioner ${provisionerOf(found)})`,
  };
}

/** A node of kubedrill's local cluster whose agent serves the kubelet API (`kubectl logs`). */
const servesLogs = (node: KubeObject) => {
  const port = (node.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined)
    ?.daemonEndpoints?.kubeletEndpoint?.Port;
  return node.metadata?.annotations?.["kubedrill.dev/internal-ip"] !== undefined && (port ?? 0) > 0;
};

function logs(nodes: KubeObject[], runs: CapabilityState): CapabilityState {
  if (runs.available) return { available: true, why: "containers run, and their kubelets serve their logs" };
  if (nodes.filter(isReady).some(servesLogs)) {
    return {
      available: true,
      why: "the local cluster's node agent serves kubectl logs: what each command prints and seeded lines",
    };
  }
  return {
    available: false,
    why: "no container runs and no node agent keeps logs, so kubectl logs has nothing",
  };
}

/** systemctl, journalctl and crictl on the nodes, as the exam's node tasks use them. */
function nodeServices(nodeAccess: string | undefined): CapabilityState {
  if (nodeAccess === "local") {
    return {
      available: true,
      why: "the node shell answers systemctl, journalctl and crictl for the kubelet and containerd",
    };
  }
  if (nodeAccess)
    return { available: true, why: `${nodeAccess} nodes run systemd, containerd and the kubelet` };
  return { available: false, why: "kubedrill reaches no node of this cluster, so no node service either" };
}

/**
 * etcdctl on the control-plane node, as the exam's etcd tasks run it: kind's and
 * minikube's nodes have none (etcd's own image is distroless), the local cluster's
 * node shell has the real one.
 */
function etcdctl(nodeAccess: string | undefined): CapabilityState {
  if (nodeAccess === "local") {
    return {
      available: true,
      why: "the control-plane node shell runs the real etcdctl and etcdutl (v3.5.21)",
    };
  }
  if (nodeAccess) return { available: false, why: `${nodeAccess} nodes have no etcdctl or etcdutl` };
  return { available: false, why: "kubedrill reaches no node of this cluster" };
}

/**
 * Grading and resetting with the API server down needs the nodes named and the cluster
 * known as a practice one without the API: the local cluster's node folders and state do both.
 */
function apiServerDown(nodeAccess: string | undefined): CapabilityState {
  if (nodeAccess === "local") {
    return {
      available: true,
      why: "kubedrill names the local cluster's nodes and knows it by its state without the API server",
    };
  }
  return {
    available: false,
    why: `kubedrill needs the API server to name ${nodeAccess ?? "this cluster's"} nodes and to know the cluster as a practice one`,
  };
}

/** Helm runs on the learner's machine, as kubectl does: the tool on PATH is the capability. */
function helm(path: string | undefined): CapabilityState {
  if (path) return { available: true, why: `helm is on PATH (${path})` };
  return { available: false, why: 'there is no "helm" on PATH' };
}

/** What the cluster can do, from facts read once. Pure: tests hand in objects saved from real clusters. */
export function capabilitiesFrom(facts: ClusterFacts): Capabilities {
  const runs = containers(facts.nodes);
  return {
    has: {
      containers: runs,
      "network-policy": networkPolicy(facts.daemonSets, runs),
      "node-access": facts.nodeAccess
        ? { available: true, why: `node files are reached through ${facts.nodeAccess}` }
        : {
            available: false,
            why: "kubedrill has no node access for this context (only kind, minikube and local)",
          },
      "metrics-server": metricsServer(facts.metricsApi),
      dns: dns(facts.dnsService, runs),
      provisioner: provisioner(facts.storageClasses ?? []),
      logs: logs(facts.nodes, runs),
      "node-services": nodeServices(facts.nodeAccess),
      etcdctl: etcdctl(facts.nodeAccess),
      "api-server-down": apiServerDown(facts.nodeAccess),
      helm: helm(facts.helm),
    },
    workers: countWorkers(facts.nodes),
  };
}

/**
 * Reads the facts in parallel: five requests. Only the nodes must be readable; a user
 * who may not list DaemonSets or APIServices just sees those capabilities as missing.
 */
export async function readClusterFacts(api: KubeApi, nodeAccess: string | undefined): Promise<ClusterFacts> {
  const optional = <T>(read: Promise<T>, fallback: T) =>
    read.catch((err: unknown) => {
      // A cluster that serves no storage.k8s.io (or apps) just lacks what it would tell.
      if (err instanceof ApiStatusError || err instanceof ClusterError || err instanceof KindNotServedError)
        return fallback;
      throw err;
    });
  const [nodes, daemonSets, storageClasses, dnsService, metricsApi] = await Promise.all([
    api.list("v1", "Node"),
    optional(
      api.request<{ items: KubeObject[] }>("GET", "/apis/apps/v1/daemonsets").then((list) => list.items),
      [],
    ),
    optional(api.list("storage.k8s.io/v1", "StorageClass"), []),
    optional(api.get("v1", "Service", "kube-dns", "kube-system"), undefined),
    optional(api.get("apiregistration.k8s.io/v1", "APIService", "v1beta1.metrics.k8s.io"), undefined),
  ]);
  return { nodes, daemonSets, storageClasses, dnsService, metricsApi, nodeAccess, helm: findOnPath("helm") };
}

export async function detectCapabilities(connection: {
  api: KubeApi;
  nodes?: { driver: string };
}): Promise<Capabilities> {
  return capabilitiesFrom(await readClusterFacts(connection.api, connection.nodes?.driver));
}
