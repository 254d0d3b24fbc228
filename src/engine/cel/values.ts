import { type CelInput, type CelValue, celList, celMap, isCelList, isCelMap, isCelUint } from "@bufbuild/cel";

/** Orders two CEL values of one comparable type (int, uint, double, string, bool); throws otherwise. */
export function compareValues(a: CelValue, b: CelValue): number {
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x !== typeof y) throw new Error(`cannot compare ${typeName(a)} with ${typeName(b)}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

function comparable(v: CelValue): bigint | number | string | boolean {
  if (isCelUint(v)) return v.value;
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
    return v;
  }
  throw new Error(`${typeName(v)} is not comparable`);
}

export function typeName(v: CelValue): string {
  if (isCelUint(v)) return "uint";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "double";
  if (isCelList(v)) return "list";
  if (isCelMap(v)) return "map";
  return v === null ? "null" : typeof v;
}

/** CEL equality for the values a list method compares: numbers across int/uint/double, lists and maps deeply. */
export function celEquals(a: CelValue, b: CelValue): boolean {
  const x = isCelUint(a) ? a.value : a;
  const y = isCelUint(b) ? b.value : b;
  if ((typeof x === "bigint" || typeof x === "number") && (typeof y === "bigint" || typeof y === "number")) {
    return typeof x === typeof y ? x === y : Number(x) === Number(y);
  }
  if (isCelList(x) && isCelList(y)) {
    const [l, r] = [Array.from(x), Array.from(y)];
    return l.length === r.length && l.every((v, i) => celEquals(v, r[i] ?? null));
  }
  if (isCelMap(x) && isCelMap(y)) {
    if (x.size !== y.size) return false;
    for (const [k, v] of x) {
      const other = y.get(k);
      if (other === undefined || !celEquals(v, other)) return false;
    }
    return true;
  }
  return x === y;
}

// Objects read from the cluster are converted once: a snapshot's objects never change, and the
// same ones are checked again for every object of a set and on every poll.
const converted = new WeakMap<object, CelInput>();
const clusterData = new Set(["object", "objects"]);

/**
 * Turns plain JSON data into CEL maps and lists up front. Left plain, every field access
 * would copy the whole map it reads from, so a loop over a large map would cost its size
 * squared whatever the cost counter says. `vars` and `uids` may still be filled in, so they
 * are converted afresh.
 */
export function toCelBindings(bindings: Record<string, unknown>): Record<string, CelInput> {
  return Object.fromEntries(
    Object.entries(bindings).map(([k, v]) => [
      k,
      toCelInput(v, clusterData.has(k) ? converted : new WeakMap()),
    ]),
  );
}

/** Plain JSON data as CEL maps and lists (data a function made, such as a decoded Helm release). */
export function toCel(value: unknown): CelInput {
  return toCelInput(value, new WeakMap());
}

function toCelInput(value: unknown, cache: WeakMap<object, CelInput>): CelInput {
  if (value === null || typeof value !== "object" || isCelMap(value) || isCelList(value))
    return value as CelInput;
  const known = cache.get(value);
  if (known !== undefined) return known;
  let result: CelInput;
  if (Array.isArray(value)) result = celList(value.map((v) => toCelInput(v, cache)));
  else if (value.constructor === Object) {
    result = celMap(new Map(Object.entries(value).map(([k, v]) => [k, toCelInput(v, cache)])));
  } else return value as CelInput;
  cache.set(value, result);
  return result;
}
