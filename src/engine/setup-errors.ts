import { ApiStatusError, ClusterError, SetupError } from "../errors.js";
import type { ToolResult } from "../model/node-access.js";
import type { KubeObject } from "./ports.js";

/**
 * Setup and reset problems as typed errors with a next step, instead of "unexpected error
 * (a bug)": a namespace that will not go, a wait that never came true, a manifest the API
 * server rejects.
 */

/** Finalizers on the namespace's objects that have had this long to go are waiting on nothing. */
export const contentFinalizerGraceMs = 10_000;
/** Longest wait for a namespace to go, whatever holds it. */
export const namespaceDeletionLimitMs = 120_000;

type Condition = { type?: string; status?: string; message?: string };

/**
 * The error for a namespace that is stuck in Terminating, or undefined while it may still go:
 * objects in it with finalizers nobody removes (after a short grace), or anything past the limit.
 */
export function stuckNamespace(namespace: KubeObject, waitedMs: number): ClusterError | undefined {
  const name = namespace.metadata?.name ?? "";
  const conditions = ((namespace.status as { conditions?: Condition[] })?.conditions ?? []).filter(
    (c) => c.status === "True",
  );
  const remaining = conditions.find((c) => c.type === "NamespaceFinalizersRemaining");
  if (!(remaining && waitedMs >= contentFinalizerGraceMs) && waitedMs < namespaceDeletionLimitMs)
    return undefined;
  const own = (namespace.spec as { finalizers?: string[] })?.finalizers ?? [];
  const blocking = [
    ...conditions.filter((c) => c.type?.startsWith("Namespace") && c.message).map((c) => c.message as string),
    ...(own.length > 0 ? [`the namespace's own finalizers: ${own.join(", ")}`] : []),
  ];
  const seconds = Math.round(waitedMs / 1000);
  return new ClusterError(
    `namespace ${name} is stuck in Terminating after ${seconds}s; what blocks it: ${blocking.join("; ") || "nothing the API says"}`,
    undefined,
    remaining
      ? `remove those finalizers from the objects (kubectl -n ${name} patch KIND NAME --type=merge -p '{"metadata":{"finalizers":null}}'), or clear the namespace's: kubectl get namespace ${name} -o json | jq '.spec.finalizers=[]' | kubectl replace --raw /api/v1/namespaces/${name}/finalize -f -`
      : `is kube-controller-manager running (kubedrill cluster status)? To force it: kubectl get namespace ${name} -o json | jq '.spec.finalizers=[]' | kubectl replace --raw /api/v1/namespaces/${name}/finalize -f -`,
  );
}

/** A setup `wait` step whose condition never came true. */
export function waitTimedOut(what: string, timeout: string, last: string, task: string): SetupError {
  return new SetupError(
    `setup of task ${task} waited ${timeout} for ${what}, which did not get there: ${last}`,
    3,
    `look at it (kubectl -n ${task} describe ${what.replace(" ", "/")}); the cluster may lack what the task needs (kubedrill doctor), or the wait's timeout is too short for it`,
  );
}

/** A CRD setup installed that the API server does not start serving. */
export function notEstablished(crd: string, task: string): SetupError {
  return new SetupError(
    `setup of task ${task} installed CustomResourceDefinition ${crd}, which did not become Established within 30s`,
    3,
    `kubectl describe crd ${crd} says why (its conditions); kubectl delete crd ${crd} and start again to reinstall it`,
  );
}

/** A setup step names a node the cluster does not have: the task asks more nodes than it requires. */
export function noSuchNode(node: string, task: string): SetupError {
  return new SetupError(
    `setup of task ${task} changes node "${node}", which this cluster does not have`,
    2,
    "a task that needs a second worker says so: requires: [workers: 2] (kubedrill doctor shows the nodes)",
  );
}

/** A setup step patches an object this cluster lacks (CoreDNS on a cluster that has none). */
export function noSuchObject(
  kind: string,
  name: string,
  namespace: string | undefined,
  task: string,
): SetupError {
  const what = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
  return new SetupError(
    `setup of task ${task} changes ${what}, which this cluster does not have`,
    3,
    "kind, minikube and kubedrill's local cluster have it; kubedrill doctor shows what this cluster offers",
  );
}

/** A setup manifest the API server refuses as invalid (400/422) is the task's problem: exit 2. */
export function rejectedManifest(object: KubeObject, err: unknown): unknown {
  if (!(err instanceof ApiStatusError) || (err.status !== 422 && err.status !== 400)) return err;
  const what = `${object.kind ?? "object"} ${object.metadata?.name ?? ""}`.trim();
  return new SetupError(
    `the cluster rejects the task's setup manifest for ${what} (${err.status} ${err.reason || "Invalid"}): ${err.message}`,
    2,
    "fix the manifest in the task (kubectl apply --dry-run=server -f FILE shows the same), then: kubedrill validate",
  );
}

/**
 * Reset empties the task's namespace; objects that keep a finalizer nobody removes would hold
 * it forever. After a short grace, the error names them, their finalizers and how to clear them.
 */
export function heldByFinalizers(
  namespace: string,
  contents: KubeObject[],
  waitedMs: number,
): ClusterError | undefined {
  if (waitedMs < contentFinalizerGraceMs) return undefined;
  const held = contents.filter((o) => o.metadata?.deletionTimestamp && finalizersOf(o).length > 0);
  if (held.length === 0) return undefined;
  const names = held.map((o) => `${o.kind} ${o.metadata?.name} (${finalizersOf(o).join(", ")})`);
  const [first] = held;
  return new ClusterError(
    `reset cannot empty namespace ${namespace} after ${Math.round(waitedMs / 1000)}s: finalizers nobody removes hold ${names.join("; ")}`,
    undefined,
    `if nothing will remove them, clear them: kubectl -n ${namespace} patch ${first?.kind?.toLowerCase()} ${first?.metadata?.name} --type=merge -p '{"metadata":{"finalizers":null}}'`,
  );
}

function finalizersOf(object: KubeObject): string[] {
  return (object.metadata?.finalizers as string[] | undefined) ?? [];
}

/** helm install refused or failed in a setup step. */
export function helmFailed(release: string, result: ToolResult, task: string, namespace: string): SetupError {
  const said = (result.stderr.trim() || result.stdout.trim()).split("\n").at(-1) ?? "";
  return new SetupError(
    `setup of task ${task} could not install the Helm release ${release} (helm exited ${result.exitCode}): ${said || "no message"}`,
    3,
    `helm -n ${namespace} list --all shows the release; kubedrill reset ${task} removes it, and start installs it again`,
  );
}

/** Reset put setup's edits back and the API server still does not answer on /readyz. */
export function apiNotBack(task: string, why: string, waitedMs: number): ClusterError {
  return new ClusterError(
    `reset of task ${task}: the API server is not answering on /readyz after ${Math.round(waitedMs / 1000)}s: ${why}`,
    undefined,
    "its manifest is /etc/kubernetes/manifests/kube-apiserver.yaml on the control-plane node (kubedrill node shell NODE); fix what its last log line names, then reset again",
  );
}

/** A waitApiServer step whose /readyz answer did not become the one wanted in time. */
export function apiServerWaitTimedOut(
  task: string,
  ready: boolean,
  timeout: string,
  now: string,
): SetupError {
  return new SetupError(
    `setup of task ${task} waited ${timeout} for the API server to ${ready ? "answer ok on" : "stop answering on"} /readyz: ${now}`,
    3,
    "kubedrill cluster status shows the control plane's components; kubedrill reset puts setup's node files back",
  );
}
