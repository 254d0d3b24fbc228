import { choices, drawnVariables } from "../catalog/instance.js";
import type { LoadedTask } from "../catalog/load.js";
import type { Task } from "../catalog/schema.js";
import { type CleanupPlan, taskLabel } from "./cleanup-plan.js";
import { apiVersionOf, type ClusterReader, type KubeObject, type ServedKind } from "./ports.js";

/**
 * Verify's second look: every cluster-scoped object before start and after reset.
 * A task whose solution makes one (a StorageClass, a ClusterRole) must name it in
 * `cleanup.objects`, or practice clusters fill up with the leftovers of attempts.
 */

/** Kinds whose objects the cluster makes and removes by itself, e.g. an IPAddress per Service. */
const clusterMade = new Set([
  "Node",
  "CSINode",
  "VolumeAttachment",
  "APIService",
  "IPAddress",
  "ServiceCIDR",
  "ComponentStatus",
]);

export async function clusterScopedObjects(
  cluster: ClusterReader,
  served: ServedKind[],
): Promise<KubeObject[]> {
  // A kind nobody can delete (NodeMetrics, the reviews) holds nothing a task could leave behind.
  const kinds = served.filter(
    (k) =>
      !k.namespaced && k.verbs.includes("list") && k.verbs.includes("delete") && !clusterMade.has(k.kind),
  );
  const lists = await Promise.all(kinds.map((k) => cluster.list(k.apiVersion, k.kind).catch(() => [])));
  return lists.flat();
}

const identity = (o: KubeObject) => `${o.apiVersion}|${o.kind}|${o.metadata?.name}`;

/** A kubelet's certificate request, not something a task made. */
const isNodeCsr = (o: KubeObject) =>
  o.kind === "CertificateSigningRequest" &&
  /^system:(node|bootstrap):/.test((o.spec as { username?: string } | undefined)?.username ?? "");

/** A volume bound to a claim in another namespace: that claim's task made it (verify runs tasks side by side). */
const claimedElsewhere = (o: KubeObject, namespace: string) => {
  if (o.kind !== "PersistentVolume") return false;
  const claim = (o.spec as { claimRef?: { namespace?: string } } | undefined)?.claimRef;
  return claim?.namespace !== undefined && claim.namespace !== namespace;
};

const declared = (kind: string, name: string) => `${kind}|${name}`;

/**
 * Every name a cleanup name takes over a task's instances: its `oneOf` and `range`
 * placeholders filled with each of their values (the other task's proof may run any instance).
 */
function instanceNames(task: Task, name: string): string[] {
  let names = [name];
  for (const [variable, drawn] of drawnVariables(task)) {
    const placeholder = `{{${variable}}}`;
    if (!name.includes(placeholder) || !("oneOf" in drawn || "range" in drawn)) continue;
    const values = choices(drawn).map(String);
    names = names.flatMap((n) => values.map((v) => n.replaceAll(placeholder, v)));
  }
  return names;
}

/**
 * The cluster-scoped objects the other tasks name in `cleanup.objects`: theirs, when
 * their proofs run beside this one's (a learner made them, so they carry no task label).
 */
export function othersObjects(task: LoadedTask, alongside: LoadedTask[]): Set<string> {
  return new Set(
    alongside
      .filter((other) => other.task.id !== task.task.id)
      .flatMap((other) =>
        (other.task.cleanup?.objects ?? []).flatMap((o) =>
          instanceNames(other.task, o.name).map((name) => declared(o.kind, name)),
        ),
      ),
  );
}

/**
 * The cluster-scoped objects after reset that were not there before start,
 * without the task's own namespace (reset keeps it, emptied) and without what
 * another task's setup labeled, another task's claim holds or another task names.
 */
export function leftBehind(
  plan: CleanupPlan,
  before: KubeObject[],
  after: KubeObject[],
  theirs: Set<string> = new Set(),
): KubeObject[] {
  const existed = new Set(before.map(identity));
  return after.filter((o) => {
    if (existed.has(identity(o)) || isNodeCsr(o) || claimedElsewhere(o, plan.namespace)) return false;
    if (theirs.has(declared(o.kind ?? "", o.metadata?.name ?? ""))) return false;
    if (o.kind === "Namespace" && o.metadata?.name === plan.namespace) return false;
    const owner = o.metadata?.labels?.[taskLabel];
    return owner === undefined || owner === plan.taskId;
  });
}

/** Still going away by itself: being deleted, or a released volume whose provisioner deletes it. */
export function isGoing(o: KubeObject): boolean {
  if (o.metadata?.deletionTimestamp) return true;
  const spec = o.spec as { persistentVolumeReclaimPolicy?: string } | undefined;
  const phase = (o.status as { phase?: string } | undefined)?.phase;
  return (
    o.kind === "PersistentVolume" && spec?.persistentVolumeReclaimPolicy === "Delete" && phase !== "Available"
  );
}

/** Names the object and says how the task author makes reset remove it. */
export function leftoverProblem(o: KubeObject): string {
  const kind = o.kind ?? "";
  const name = o.metadata?.name ?? "";
  const version = o.apiVersion && o.apiVersion !== apiVersionOf(kind) ? `, apiVersion: ${o.apiVersion}` : "";
  return `${kind} ${name} is left after reset: the solution creates it and reset does not remove it — add it to the task's cleanup: { objects: [{ kind: ${kind}, name: ${name}${version} }] }`;
}
