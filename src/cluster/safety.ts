import { apiDown, ClusterError } from "../errors.js";
import { ApiStatusError, type KubeApi, type KubeObject } from "./api.js";
import { localPaths } from "./local/components.js";
import { markerFor } from "./local/locate.js";
import { readState } from "./local/state.js";

/** What is known about a cluster when deciding whether it is a throw-away practice cluster. */
export interface ClusterFacts {
  nodes: KubeObject[];
  /** Why the nodes could not be read, if they could not. */
  nodesError?: string;
  /** The uid of the cluster's kube-system namespace. */
  kubeSystemUid?: string;
  /** Why the API server gave no answer at all, if it did not. */
  apiDown?: string;
  /** The identity `kubedrill cluster up` recorded for the context's local cluster, if any. */
  localIdentity?: { extension?: string; state?: string; stateDir: string };
}

export interface PracticeVerdict {
  practice: boolean;
  /** Which cluster it was recognised as, or why it was not. */
  why: string;
}

type NodeShape = {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { providerID?: string };
};

const label = (node: NodeShape, key: string) => node.metadata?.labels?.[key];
const providerID = (node: NodeShape) => node.spec?.providerID ?? "";

/** Each practice cluster by what its nodes say it is (every node must say so), never by its name. */
const markers: { name: string; test: (node: NodeShape, all: NodeShape[]) => boolean; what: string }[] = [
  { name: "kind", what: "providerID kind://…", test: (n) => providerID(n).startsWith("kind://") },
  {
    name: "minikube",
    what: "label minikube.k8s.io/name",
    test: (n) => label(n, "minikube.k8s.io/name") !== undefined,
  },
  {
    name: "k3d/k3s",
    what: "providerID k3s://… or label node.kubernetes.io/instance-type=k3s",
    test: (n) => providerID(n).startsWith("k3s://") || label(n, "node.kubernetes.io/instance-type") === "k3s",
  },
  {
    name: "docker-desktop",
    what: "its one node named docker-desktop",
    test: (n, all) => all.length === 1 && n.metadata?.name === "docker-desktop",
  },
];

/** Decides from facts alone (no I/O), so every rule is unit-tested on plain objects. */
export function judgePractice(facts: ClusterFacts): PracticeVerdict {
  const local = facts.localIdentity;
  if (local && facts.kubeSystemUid) {
    const recorded = [local.extension, local.state];
    if (recorded.every((id) => id === facts.kubeSystemUid)) {
      return { practice: true, why: `kubedrill's local cluster (kube-system uid matches ${local.stateDir})` };
    }
  }
  // With its API server down (a task broke it), kube-system's uid cannot be read: the local
  // cluster is known by its kubeconfig entry and state agreeing, and only its node folders are reachable.
  if (facts.apiDown && local?.state && local.extension === local.state) {
    return {
      practice: true,
      why: `kubedrill's local cluster (its kubeconfig entry and ${local.stateDir} agree; its API server is not answering)`,
    };
  }
  const nodes = facts.nodes as NodeShape[];
  if (nodes.length > 0) {
    for (const marker of markers) {
      if (nodes.every((n) => marker.test(n, nodes))) {
        return { practice: true, why: `a ${marker.name} cluster (every node has ${marker.what})` };
      }
    }
  }
  const seen = facts.nodesError
    ? `its nodes could not be read (${facts.nodesError})`
    : nodes.length === 0
      ? "it has no nodes to tell by"
      : "no node carries kind's, minikube's, k3s's or docker-desktop's markers";
  const localNote = local
    ? `; its kubeconfig entry names the local cluster in ${local.stateDir}, but kube-system's uid (${facts.kubeSystemUid ?? "unknown"}) is not the one recorded there (${local.state ?? "none"})`
    : "";
  return { practice: false, why: `${seen}${localNote}` };
}

/** Reads what judgePractice needs: the nodes, kube-system's uid, and the local cluster's recorded identity. */
export async function gatherFacts(api: KubeApi, kubeconfigFiles?: string[]): Promise<ClusterFacts> {
  const facts: ClusterFacts = { nodes: [] };
  const unreadable = (err: unknown) => {
    if (err instanceof ApiStatusError) return `${err.status} ${err.message}`;
    if (apiDown(err)) {
      facts.apiDown = err.message;
      return err.message;
    }
    throw err;
  };
  const [nodes, kubeSystem] = await Promise.all([
    api.list("v1", "Node").catch((err: unknown) => {
      facts.nodesError = unreadable(err);
      return [];
    }),
    api.get("v1", "Namespace", "kube-system").catch((err: unknown) => {
      unreadable(err);
      return undefined;
    }),
  ]);
  facts.nodes = nodes;
  facts.kubeSystemUid = kubeSystem?.metadata?.uid as string | undefined;
  const marker = markerFor(api.contextName, kubeconfigFiles);
  if (marker) {
    let state: string | undefined;
    try {
      state = readState(localPaths(marker.stateDir))?.identity;
    } catch {
      state = undefined;
    }
    facts.localIdentity = { extension: marker.identity, state, stateDir: marker.stateDir };
  }
  return facts;
}

/** Commands that write refuse clusters that are not recognised as practice clusters, unless named explicitly. */
export async function assertMayWrite(api: KubeApi, allowContext?: string, kubeconfigFiles?: string[]) {
  const context = api.contextName;
  if (allowContext === context) return;
  const verdict = judgePractice(await gatherFacts(api, kubeconfigFiles));
  if (verdict.practice) return;
  throw new ClusterError(
    `refusing to change context "${context}" (${api.server}): it is not recognised as a practice cluster: ${verdict.why}`,
    context,
    `if this cluster is yours to break, pass --allow-context ${context}`,
  );
}
