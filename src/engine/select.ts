import type { ObjectRef } from "../catalog/schema.js";
import { apiVersionOf, type ClusterReader, type KubeObject } from "./ports.js";

/**
 * Which objects a reference selects. The rules are pure functions over listed objects
 * (`ownedBy`, `describeSelection`, `judgeSet`), so any resolver can use them; `readSelection`
 * is the one place that lists what they need.
 */

// Controllers that own their pods through an object in between (Deployment → ReplicaSet → Pod,
// CronJob → Job → Pod). Following a chain needs those middle objects listed too.
const ownsThrough: Record<string, string[]> = { Deployment: ["ReplicaSet"], CronJob: ["Job"] };

/** The kinds between an owner and what it owns: listed so the chain of ownerReferences can be followed. */
export function middleKinds(ownerKind: string, targetKind: string): string[] {
  const kinds: string[] = [];
  const queue = [ownerKind];
  for (let kind = queue.shift(); kind !== undefined; kind = queue.shift()) {
    for (const next of ownsThrough[kind] ?? []) {
      if (next === targetKind || kinds.includes(next)) continue;
      kinds.push(next);
      queue.push(next);
    }
  }
  return kinds;
}

/** Every object of `pool` that `owner` owns, directly or through other objects of the pool; matched by uid. */
export function ownedBy(owner: KubeObject, pool: KubeObject[]): KubeObject[] {
  const owners = new Set([owner.metadata?.uid].filter((uid) => uid !== undefined));
  const owned = new Set<KubeObject>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const object of pool) {
      if (owned.has(object)) continue;
      const refs = (object.metadata?.ownerReferences ?? []) as { uid?: string }[];
      if (!refs.some((ref) => ref.uid !== undefined && owners.has(ref.uid))) continue;
      owned.add(object);
      if (object.metadata?.uid) owners.add(object.metadata.uid);
      grew = true;
    }
  }
  return pool.filter((object) => owned.has(object));
}

/** How a selection reads in a message: "Pod web", "Pod with labels app=web", "Pod owned by Deployment web", "Pod". */
export function describeSelection(ref: ObjectRef): string {
  if (ref.name) return `${ref.kind} ${ref.name}`;
  const parts = [
    ...(ref.selector ? [`with labels ${ref.selector}`] : []),
    ...(ref.ownedBy ? [`owned by ${ref.ownedBy.kind} ${ref.ownedBy.name}`] : []),
  ];
  return [ref.kind, ...parts].join(" ");
}

export interface Selection {
  objects: KubeObject[];
  /** "Pod web", "Pod with labels app=web"… */
  what: string;
  /** " in namespace ns", or "" for cluster-scoped kinds */
  where: string;
  /** Set when the selection could not be made at all, e.g. the owner is missing. */
  problem?: string;
}

/** Reads the objects a reference selects: one by name, by label selector, by owner, or every one of the kind. */
export async function readSelection(
  cluster: ClusterReader,
  ref: ObjectRef,
  taskNamespace: string,
): Promise<Selection> {
  const apiVersion = apiVersionOf(ref.kind, ref.apiVersion);
  const { namespaced } = await cluster.resource(apiVersion, ref.kind);
  const namespace = namespaced ? (ref.namespace ?? taskNamespace) : undefined;
  const what = describeSelection(ref);
  const where = namespace ? ` in namespace ${namespace}` : "";
  if (ref.name) {
    const object = await cluster.get(apiVersion, ref.kind, ref.name, namespace);
    return { objects: object ? [object] : [], what, where };
  }
  const listed = await cluster.list(apiVersion, ref.kind, namespace, ref.selector);
  if (!ref.ownedBy) return { objects: listed, what, where };
  const { kind, name, apiVersion: ownerVersion } = ref.ownedBy;
  const ownerApi = apiVersionOf(kind, ownerVersion);
  const ownerScoped = await cluster.resource(ownerApi, kind);
  const owner = await cluster.get(ownerApi, kind, name, ownerScoped.namespaced ? namespace : undefined);
  if (!owner) return { objects: [], what, where, problem: `${kind} ${name} not found${where}` };
  const middle = await Promise.all(
    middleKinds(kind, ref.kind).map((k) => cluster.list(apiVersionOf(k), k, namespace)),
  );
  const owned = new Set(ownedBy(owner, [...middle.flat(), ...listed]));
  return { objects: listed.filter((o) => owned.has(o)), what, where };
}

/** Why an empty selection fails: "Pod web not found in namespace ns", "no NetworkPolicy in namespace ns". */
export function emptyReason(ref: ObjectRef, selection: Selection): string {
  if (selection.problem) return selection.problem;
  if (ref.name) return `${selection.what} not found${selection.where}`;
  return `no ${selection.what}${selection.where || " in the cluster"}`;
}

/**
 * The reasons of a check over several objects: with `all`, each object's reasons under
 * its name; with `any`, none when one object passes, else every object's reasons.
 */
export function judgeSet(
  names: string[],
  perObject: string[][],
  mode: "all" | "any",
  what: string,
): string[] {
  if (perObject.length === 1) return perObject[0] ?? [];
  const named = perObject.flatMap((reasons, i) => reasons.map((r) => `${names[i]}: ${r}`));
  if (mode === "all") return named;
  return perObject.some((r) => r.length === 0) ? [] : [`no ${what} passes:`, ...named];
}

/**
 * For a failed set expression of the form `objects.all(x, …)`, the names of the objects for
 * which the body is not true, so the one report of the set can say which ones break it.
 */
export function failingMembers(
  expr: string,
  objects: KubeObject[],
  holds: (body: string, bindings: Record<string, unknown>) => boolean,
): string[] {
  const all = /^\s*objects\.all\(\s*([A-Za-z_]\w*)\s*,([\s\S]*)\)\s*$/.exec(expr);
  if (!all) return [];
  const [, variable = "", body = ""] = all;
  return objects.filter((o) => !holds(body, { [variable]: o })).map((o) => o.metadata?.name ?? "?");
}

/** An expect that reads `objects` and never `object` is about the set: evaluated once, reported once. */
export function isSetExpression(expr: string): boolean {
  return /\bobjects\b/.test(expr) && !/\bobject\b/.test(expr);
}
