import type { KubeObject, ObjectRef } from "../model/kube.js";
import type { Mismatch } from "../model/results.js";
import type { Resolved } from "./resolve.js";

/**
 * Which objects a reference selects. The rules are pure functions over listed objects
 * (`ownedBy`, `describeSelection`, `judgeSet`); `resolveRef` in resolve.ts is the one place
 * that lists what they need.
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

/** Why an empty selection fails: "Pod web not found in namespace ns", "no NetworkPolicy in namespace ns". */
export function emptyReason(ref: ObjectRef, selection: Resolved): string {
  if (selection.problem) return selection.problem;
  if (ref.name) return `${selection.what} not found${selection.where}`;
  return `no ${selection.what}${selection.where || " in the cluster"}`;
}

/**
 * The mismatches of a check over several objects: with `all`, each object's under its
 * name; with `any`, none when one object passes, else every object's.
 */
export function judgeSet(
  names: string[],
  perObject: Mismatch[][],
  mode: "all" | "any",
  what: string,
): Mismatch[] {
  if (perObject.length === 1) return perObject[0] ?? [];
  const named = perObject.flatMap((mismatches, i) => mismatches.map((m) => ({ ...m, object: names[i] })));
  if (mode === "all") return named;
  return perObject.some((m) => m.length === 0) ? [] : [{ path: "", message: `no ${what} passes:` }, ...named];
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
