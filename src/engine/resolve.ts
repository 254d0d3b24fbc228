import type { ClusterReader } from "../model/cluster.js";
import { apiVersionOf, type KubeObject, type ObjectRef } from "../model/kube.js";

/** The objects an ObjectRef names, and how to say where they were looked for. */
export interface Resolved {
  apiVersion: string;
  /** Undefined for cluster-scoped kinds, whatever the reference said. */
  namespace?: string;
  objects: KubeObject[];
  /** "Pod redis" or "Pod with labels app=web" */
  what: string;
  /** " in namespace x", or "" for cluster-scoped kinds */
  where: string;
}

/**
 * The one resolver of object references: kind and apiVersion (defaulted for built-in
 * kinds), the task's namespace for namespaced kinds only, then by name or by selector.
 */
export async function resolveRef(
  cluster: ClusterReader,
  ref: ObjectRef,
  defaultNamespace: string,
): Promise<Resolved> {
  const apiVersion = apiVersionOf(ref.kind, ref.apiVersion);
  const { namespaced } = await cluster.resource(apiVersion, ref.kind);
  const namespace = namespaced ? (ref.namespace ?? defaultNamespace) : undefined;
  const what = ref.name ? `${ref.kind} ${ref.name}` : `${ref.kind} with labels ${ref.selector}`;
  const where = namespace ? ` in namespace ${namespace}` : "";
  let objects: KubeObject[];
  if (ref.name) {
    const object = await cluster.get(apiVersion, ref.kind, ref.name, namespace);
    objects = object ? [object] : [];
  } else {
    objects = await cluster.list(apiVersion, ref.kind, namespace, ref.selector);
  }
  return { apiVersion, namespace, objects, what, where };
}
