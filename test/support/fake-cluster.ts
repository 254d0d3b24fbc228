import type { NodeFiles } from "../../src/engine/cleanup-apply.js";
import type {
  ClusterWriter,
  DeleteCollectionOptions,
  KubeObject,
  ServedKind,
} from "../../src/engine/ports.js";

/**
 * A cluster as plain objects in memory, for unit tests of the cleanup plan's
 * reset and record: it writes, but grades nothing (grading is tested against
 * the real local cluster).
 */
export class FakeCluster implements ClusterWriter {
  readonly objects: KubeObject[] = [];
  /** Every write, in order, e.g. "delete Pod pods-x/web". */
  readonly writes: string[] = [];

  /** Set by a test whose API server goes down; absent, the cluster cannot say. */
  notReady?: () => Promise<string | undefined>;

  constructor(readonly served: ServedKind[]) {}

  async servedKinds() {
    return this.served;
  }

  async resource(apiVersion: string, kind: string) {
    const found = this.served.find((k) => k.apiVersion === apiVersion && k.kind === kind);
    if (!found) throw Object.assign(new Error(`no kind ${kind}`), { status: 404 });
    return { namespaced: found.namespaced };
  }

  private matches(o: KubeObject, apiVersion: string, kind: string, namespace?: string) {
    return (
      o.apiVersion === apiVersion &&
      o.kind === kind &&
      (namespace === undefined || o.metadata?.namespace === namespace)
    );
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string) {
    const [key, value] = labelSelector?.split("=") ?? [];
    return structuredClone(
      this.objects.filter(
        (o) =>
          this.matches(o, apiVersion, kind, namespace) &&
          (key === undefined || o.metadata?.labels?.[key] === value),
      ),
    );
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string) {
    return (await this.list(apiVersion, kind, namespace)).find((o) => o.metadata?.name === name);
  }

  private find(apiVersion: string, kind: string, name: string, namespace?: string) {
    return this.objects.find(
      (o) => this.matches(o, apiVersion, kind, namespace) && o.metadata?.name === name,
    );
  }

  async apply(object: KubeObject) {
    this.writes.push(`apply ${object.kind} ${object.metadata?.name}`);
    const { apiVersion = "", kind = "", metadata = {} } = object;
    const current = this.find(apiVersion, kind, metadata.name ?? "", metadata.namespace);
    if (current) {
      mergeInto(current, object);
      return structuredClone(current);
    }
    const created = structuredClone({
      ...object,
      metadata: { ...metadata, uid: `uid-${this.objects.length}` },
    });
    this.objects.push(created);
    return structuredClone(created);
  }

  async mergePatch(apiVersion: string, kind: string, name: string, patch: unknown, namespace?: string) {
    this.writes.push(`patch ${kind} ${name} ${JSON.stringify(patch)}`);
    const current = this.find(apiVersion, kind, name, namespace);
    if (!current) throw Object.assign(new Error(`${kind} ${name} not found`), { status: 404 });
    mergeInto(current, patch as Record<string, unknown>);
    return structuredClone(current);
  }

  async strategicPatch(apiVersion: string, kind: string, name: string, patch: unknown, namespace?: string) {
    this.writes.push(`strategic patch ${kind} ${name} ${JSON.stringify(patch)}`);
    const current = this.find(apiVersion, kind, name, namespace);
    if (!current) throw Object.assign(new Error(`${kind} ${name} not found`), { status: 404 });
    mergeInto(current, patch as Record<string, unknown>, true);
    return structuredClone(current);
  }

  async delete(apiVersion: string, kind: string, name: string, namespace?: string) {
    this.writes.push(`delete ${kind} ${namespace ? `${namespace}/` : ""}${name}`);
    const current = this.find(apiVersion, kind, name, namespace);
    if (current) this.objects.splice(this.objects.indexOf(current), 1);
    return current !== undefined;
  }

  async deleteCollection(apiVersion: string, kind: string, options: DeleteCollectionOptions) {
    const policy = options.propagationPolicy === "Foreground" ? " (owners wait for what they made)" : "";
    this.writes.push(`delete every ${kind} in ${options.namespace}${policy}`);
    const keep = options.fieldSelector?.replace("metadata.name!=", "");
    for (const o of await this.list(apiVersion, kind, options.namespace)) {
      if (o.metadata?.name !== keep)
        await this.delete(apiVersion, kind, o.metadata?.name ?? "", options.namespace);
    }
  }
}

/** JSON merge patch (RFC 7386): null removes, objects merge, everything else replaces. */
/**
 * A JSON merge patch; `strategic`, as the API server merges a strategic one for the lists
 * the tests use: items with a `name` (containers, env, ports) merge into the item of that name.
 */
function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>, strategic = false) {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (strategic && Array.isArray(value) && Array.isArray(target[key]) && value.every(named)) {
      const items = target[key] as Record<string, unknown>[];
      for (const item of value as Record<string, unknown>[]) {
        const same = items.find((i) => i.name === item.name);
        if (same) mergeInto(same, item, true);
        else items.push(structuredClone(item));
      }
    } else if (typeof value === "object" && !Array.isArray(value)) {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      mergeInto(target[key] as Record<string, unknown>, value as Record<string, unknown>, strategic);
    } else target[key] = structuredClone(value);
  }
}

const named = (item: unknown) =>
  typeof item === "object" && item !== null && typeof (item as { name?: unknown }).name === "string";

/** Node files as a map of "node:path" to content. */
export class FakeNodes implements NodeFiles {
  readonly files = new Map<string, string>();

  async read(node: string, path: string) {
    return this.files.get(`${node}:${path}`);
  }

  async write(node: string, path: string, content: string) {
    this.files.set(`${node}:${path}`, content);
  }

  /** As rm -r: the file, or a folder and everything in it. */
  async remove(node: string, path: string) {
    for (const key of [...this.files.keys()]) {
      if (key === `${node}:${path}` || key.startsWith(`${node}:${path}/`)) this.files.delete(key);
    }
  }

  /** The names directly in a folder, sorted; undefined when no file is under it. */
  async list(node: string, path: string) {
    const prefix = `${node}:${path}/`;
    const names = [...this.files.keys()].filter((k) => k.startsWith(prefix));
    if (names.length === 0) return undefined;
    return [...new Set(names.map((k) => k.slice(prefix.length).split("/")[0] as string))].sort();
  }

  /** A node of files only: no command runs on it (the node services are proved on the local cluster). */
  async exec(_node: string, argv: string[]) {
    return { exitCode: 127, stdout: "", stderr: `${argv[0]}: command not found on a fake node` };
  }
}

const kind = (apiVersion: string, k: string, namespaced: boolean): ServedKind => ({
  apiVersion,
  kind: k,
  namespaced,
  verbs: ["list", "get", "create", "delete", "deletecollection"],
});

/** A few kinds of each scope, as a real API server serves them. */
export const servedKinds: ServedKind[] = [
  kind("v1", "Pod", true),
  kind("apps/v1", "Deployment", true),
  kind("apps/v1", "DaemonSet", true),
  kind("v1", "ConfigMap", true),
  kind("v1", "ServiceAccount", true),
  kind("v1", "Event", true),
  kind("v1", "Namespace", false),
  kind("v1", "Node", false),
  kind("storage.k8s.io/v1", "StorageClass", false),
  kind("rbac.authorization.k8s.io/v1", "ClusterRole", false),
];
