import { ClusterError, KindNotServedError } from "../errors.js";
import {
  type BeforeStart,
  beforeStartAnnotation,
  type CleanupAction,
  type CleanupPlan,
  describeAction,
  fieldObjectId,
  type Observed,
  recordBefore,
  resetActions,
  taskLabel,
} from "./cleanup-plan.js";
import { readService, runSystemctl, type ServiceState } from "./node-service.js";
import type { ClusterWriter, DeleteCollectionOptions, KubeObject, NodeAccess, ServedKind } from "./ports.js";
import { heldByFinalizers } from "./setup-errors.js";

/** What setup and reset need of node access: its files, and systemctl for its services. */
export type NodeFiles = Pick<NodeAccess, "read" | "write" | "remove" | "exec" | "list">;

export interface CleanupEnv {
  cluster: ClusterWriter;
  nodes?: NodeFiles;
}

/** What Kubernetes itself puts in every namespace: not the task's, and recreated at once if deleted. */
const builtIn: Record<string, string> = { ServiceAccount: "default", ConfigMap: "kube-root-ca.crt" };
/** Events are the cluster's record, not the task's state; reset drops them but verify does not wait on them. */
const isEvent = (kind: ServedKind) => kind.kind === "Event";

/** The namespaced kinds reset empties: every one the server lets us list and delete. */
function contentKinds(served: ServedKind[]): ServedKind[] {
  return served.filter(
    (k) => k.namespaced && !isEvent(k) && k.verbs.includes("list") && k.verbs.includes("deletecollection"),
  );
}

/** Reads what the plan is about; `kinds` narrows which namespaced kinds are listed. */
export async function observe(
  plan: CleanupPlan,
  env: CleanupEnv,
  served: ServedKind[],
  kinds?: ServedKind[],
): Promise<Observed> {
  const [nodes, files, folders, objects, namespace, volumes, fieldObjects, services] = await Promise.all([
    env.cluster.list("v1", "Node"),
    Promise.all(plan.nodeFiles.map((f) => env.nodes?.read(f.node, f.path))),
    Promise.all(plan.nodeFolders.map(async (f) => (await env.nodes?.list(f.node, f.path)) !== undefined)),
    Promise.all(plan.objects.map((o) => objectsOf(o, env.cluster))),
    env.cluster.get("v1", "Namespace", plan.namespace),
    env.cluster.list("v1", "PersistentVolume"),
    fieldObjectsOf(plan, env.cluster),
    servicesOf(plan, env),
  ]);
  const ours = namespace?.metadata?.labels?.[taskLabel] === plan.taskId;
  const contents = ours ? await namespaceContents(plan.namespace, env.cluster, kinds ?? served) : [];
  return { nodes, files, folders, objects, namespace, contents, volumes, fieldObjects, services };
}

/**
 * A kind that went away with its CRD (deleted by the same reset) took its objects with it:
 * a 404 for it, or discovery no longer serving it, leaves nothing to delete.
 */
function ignoreGoneKind(err: unknown): void {
  if ((err as { status?: number }).status === 404 || err instanceof KindNotServedError) return;
  throw err;
}

async function objectsOf(o: CleanupPlan["objects"][number], cluster: ClusterWriter): Promise<KubeObject[]> {
  try {
    if (o.name) {
      const found = await cluster.get(o.apiVersion, o.kind, o.name, o.namespace);
      return found ? [found] : [];
    }
    return await cluster.list(o.apiVersion, o.kind, o.namespace, o.selector);
  } catch (err) {
    // The kind is gone (its CRD was deleted), and every object of it with it.
    if ((err as { status?: number }).status === 404) return [];
    throw err;
  }
}

export async function namespaceContents(
  namespace: string,
  cluster: ClusterWriter,
  served: ServedKind[],
): Promise<KubeObject[]> {
  const lists = await inTurns(contentKinds(served), (k) =>
    cluster.list(k.apiVersion, k.kind, namespace).catch(() => []),
  );
  return lists.flat().filter((o) => builtIn[o.kind ?? ""] !== o.metadata?.name);
}

/**
 * A few requests at a time: a burst of thirty would open thirty TLS connections,
 * where a few reused ones answer sooner on a busy machine.
 */
async function inTurns<T, R>(items: T[], work: (item: T) => Promise<R>, width = 6): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** The record the last start left on the task namespace, if kubedrill made that namespace. */
export function readRecord(plan: CleanupPlan, namespace: KubeObject | undefined): BeforeStart | undefined {
  if (namespace?.metadata?.labels?.[taskLabel] !== plan.taskId) return undefined;
  const text = namespace.metadata.annotations?.[beforeStartAnnotation];
  return text ? (JSON.parse(text) as BeforeStart) : undefined;
}

/** Read before start changes anything (after its reset), so that reset can put it back. */
export async function recordBeforeStart(plan: CleanupPlan, env: CleanupEnv): Promise<BeforeStart> {
  const [nodes, files, fieldObjects, services] = await Promise.all([
    env.cluster.list("v1", "Node"),
    Promise.all(plan.nodeFiles.map((f) => env.nodes?.read(f.node, f.path))),
    fieldObjectsOf(plan, env.cluster),
    servicesOf(plan, env),
  ]);
  return recordBefore(plan, nodes, files, fieldObjects, services);
}

/** Each planned unit's state, one node command at a time; none without node access. */
async function servicesOf(plan: CleanupPlan, env: CleanupEnv): Promise<(ServiceState | undefined)[]> {
  const states: (ServiceState | undefined)[] = [];
  for (const unit of plan.services) states.push(env.nodes ? await readService(env.nodes, unit) : undefined);
  return states;
}

/** The object of each planned field, read once per object. */
async function fieldObjectsOf(
  plan: CleanupPlan,
  cluster: ClusterWriter,
): Promise<(KubeObject | undefined)[]> {
  const reads = new Map<string, Promise<KubeObject | undefined>>();
  return Promise.all(
    plan.fields.map((f) => {
      const id = fieldObjectId(f);
      if (!reads.has(id)) reads.set(id, cluster.get(f.apiVersion, f.kind, f.name, f.namespace));
      return reads.get(id) as Promise<KubeObject | undefined>;
    }),
  );
}

const settleTimeoutMs = 60_000;
/** Kinds the built-in controllers create from others (a Deployment's ReplicaSets, a Service's EndpointSlices…). */
const dependents = [
  "Pod",
  "ReplicaSet",
  "Job",
  "ControllerRevision",
  "PersistentVolumeClaim",
  "EndpointSlice",
  "Endpoints",
];

/**
 * Applies the plan until nothing is left to do: one pass usually, a few more
 * while deleted objects finish going (finalizers, controllers catching up).
 * Idempotent: a second run finds nothing to do.
 */
export async function applyPlan(plan: CleanupPlan, env: CleanupEnv, served: ServedKind[]): Promise<void> {
  const reachable = env.nodes ? plan : { ...plan, nodeFiles: [], nodeFolders: [], services: [] };
  const started = Date.now();
  const deadline = started + settleTimeoutMs;
  let record: BeforeStart | undefined;
  // After the first full look, only kinds that held something, and what controllers make from them, are read again.
  const seen = new Set(dependents);
  for (let pass = 0; ; pass++) {
    const kinds = pass === 0 ? undefined : served.filter((k) => seen.has(k.kind));
    const now = await observe(reachable, env, served, kinds);
    for (const object of now.contents) seen.add(object.kind ?? "");
    if (pass === 0) record = readRecord(plan, now.namespace);
    const actions = resetActions(reachable, record, now);
    if (actions.length === 0) return;
    const held = heldByFinalizers(plan.namespace, now.contents, Date.now() - started);
    if (held) throw held;
    if (Date.now() > deadline) {
      throw new ClusterError(
        `reset of ${plan.taskId} did not finish within ${settleTimeoutMs / 1000}s: ${actions.map(describeAction).join("; ")}`,
        undefined,
        `see what holds it: kubectl -n ${plan.namespace} get all (a finalizer, or a controller outside the namespace)`,
      );
    }
    if (pass > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    // Node files first: a static-pod manifest put back brings back the component (a controller
    // manager, the API server) that the rest of the reset relies on, and a mirror pod whose
    // file is gone is not made again in the namespace reset empties.
    const files = actions.filter(isFileAction);
    await Promise.all(files.map((a) => apply(a, env)));
    await Promise.all(actions.filter((a) => !isFileAction(a)).map((a) => apply(a, env)));
    if (pass === 0 && actions.some((a) => a.do === "empty-namespace")) await dropEvents(plan, env, served);
  }
}

const isFileAction = (action: CleanupAction) => action.do === "write-file" || action.do === "remove-file";

/** Kinds whose controllers create pods (directly or through another of these). */
const podOwners = new Set([
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "ReplicationController",
]);

async function apply(action: CleanupAction, env: CleanupEnv): Promise<void> {
  const { cluster, nodes } = env;
  switch (action.do) {
    case "write-file":
      return nodes?.write(action.node, action.path, action.content);
    case "remove-file":
      return nodes?.remove(action.node, action.path);
    case "patch-node":
      await cluster.mergePatch("v1", "Node", action.node, action.patch);
      return;
    case "delete":
      await cluster.delete(action.apiVersion, action.kind, action.name, action.namespace);
      return;
    case "patch-namespace":
      await cluster.mergePatch("v1", "Namespace", action.namespace, action.patch);
      return;
    case "patch-object":
      await cluster.mergePatch(action.apiVersion, action.kind, action.name, action.patch, action.namespace);
      return;
    case "await-volumes":
    case "await-node-ready":
      return;
    case "systemctl":
      if (nodes) await runSystemctl(nodes, action.node, action.commands);
      return;
    case "empty-namespace": {
      const owners = action.kinds.filter((k) => podOwners.has(k.kind));
      const rest = action.kinds.filter((k) => !podOwners.has(k.kind));
      // Owners go first and in the foreground: each stays, marked as deleting, until what it made
      // is gone, so its controller replaces no pod, and a pod a controller made just before it saw
      // the deletion goes with its owner instead of showing up after reset has looked.
      await emptyKinds(cluster, action.namespace, owners, "Foreground");
      await emptyKinds(cluster, action.namespace, rest, "Background");
    }
  }
}

function emptyKinds(
  cluster: ClusterWriter,
  namespace: string,
  kinds: { apiVersion: string; kind: string }[],
  propagationPolicy: DeleteCollectionOptions["propagationPolicy"],
): Promise<unknown> {
  return Promise.all(
    kinds.map(({ apiVersion, kind }) =>
      cluster
        .deleteCollection(apiVersion, kind, {
          namespace,
          fieldSelector: builtIn[kind] ? `metadata.name!=${builtIn[kind]}` : undefined,
          // Pods go at once: a practice reset need not wait out grace periods.
          gracePeriodSeconds: kind === "Pod" ? 0 : undefined,
          propagationPolicy,
        })
        .catch(ignoreGoneKind),
    ),
  );
}

async function dropEvents(plan: CleanupPlan, env: CleanupEnv, served: ServedKind[]): Promise<void> {
  const core = served.find((k) => k.apiVersion === "v1" && isEvent(k));
  if (core) await env.cluster.deleteCollection("v1", "Event", { namespace: plan.namespace });
}
