import type { ClusterReader } from "../model/cluster.js";
import { apiVersionOf, type KubeObject, type ObjectRef } from "../model/kube.js";
import { describeSelection, middleKinds, ownedBy } from "./select.js";

/** The objects an ObjectRef names, and how to say where they were looked for. */
export interface Resolved {
  apiVersion: string;
  /** Undefined for cluster-scoped kinds, whatever the reference said. */
  namespace?: string;
  objects: KubeObject[];
  /** "Pod redis", "Pod with labels app=web", "Pod owned by Deployment web", "Pod" */
  what: string;
  /** " in namespace x", or "" for cluster-scoped kinds */
  where: string;
  /** Set when the selection could not be made at all, e.g. the owner is missing. */
  problem?: string;
  /** For a selection by owner: the owner and what lies between it and the objects (its ReplicaSets). */
  owners?: KubeObject[];
}

/**
 * The one resolver of object references, for checks, variables and setup's waits: kind
 * and apiVersion (defaulted for built-in kinds), the task's namespace for namespaced kinds
 * only, then one object by name, or a set by label selector, by owner, or every one of the kind.
 */
export async function resolveRef(
  cluster: ClusterReader,
  ref: ObjectRef,
  defaultNamespace: string,
): Promise<Resolved> {
  const apiVersion = apiVersionOf(ref.kind, ref.apiVersion);
  const { namespaced } = await cluster.resource(apiVersion, ref.kind);
  const namespace = namespaced ? (ref.namespace ?? defaultNamespace) : undefined;
  const what = describeSelection(ref);
  const where = namespace ? ` in namespace ${namespace}` : "";
  const found = (objects: KubeObject[], problem?: string): Resolved => ({
    apiVersion,
    namespace,
    objects,
    what,
    where,
    ...(problem ? { problem } : {}),
  });
  if (ref.name) {
    const object = await cluster.get(apiVersion, ref.kind, ref.name, namespace);
    return found(object ? [object] : []);
  }
  const listed = await cluster.list(apiVersion, ref.kind, namespace, ref.selector);
  if (!ref.ownedBy) return found(listed);
  const { kind, name, apiVersion: ownerVersion } = ref.ownedBy;
  const ownerApi = apiVersionOf(kind, ownerVersion);
  const ownerScoped = await cluster.resource(ownerApi, kind);
  const owner = await cluster.get(ownerApi, kind, name, ownerScoped.namespaced ? namespace : undefined);
  if (!owner) return found([], `${kind} ${name} not found${where}`);
  const middle = await Promise.all(
    middleKinds(kind, ref.kind).map((k) => cluster.list(apiVersionOf(k), k, namespace)),
  );
  const owned = new Set(ownedBy(owner, [...middle.flat(), ...listed]));
  const owners = [owner, ...middle.flat().filter((o) => owned.has(o))];
  return { ...found(listed.filter((o) => owned.has(o))), owners };
}
