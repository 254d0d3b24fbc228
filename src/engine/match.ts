import type { Mismatch } from "../model/results.js";

/**
 * Partial match of `want` against `actual`: every field in `want` must be found in
 * `actual`; anything else in `actual` is ignored. Returns one Mismatch per difference.
 *
 * - maps: each wanted key must match; a missing key gives `found: undefined`.
 * - lists of objects that all have a string `name` (containers, ports, env…): each
 *   wanted item is matched against the actual item of the same name, in any order.
 * - other lists: each wanted item must match some actual item; when none does, the
 *   differences from the nearest item (the one with the fewest) are reported.
 * - `null` wanted: the field must be absent or null.
 * - scalars: strictly equal, or equal Kubernetes quantities (see sameQuantity).
 *
 * With `lists: "exact"` every list must also hold no item beyond the wanted ones: wanted
 * and actual items pair up one to one, in any order (a set compared by meaning, such as
 * the peers and ports of a NetworkPolicy). Maps stay partial.
 */
export function match(want: unknown, actual: unknown, path = "", lists: ListMode = "contain"): Mismatch[] {
  if (want === null) return actual === undefined || actual === null ? [] : [{ path, found: actual, want }];
  if (actual === undefined) return [{ path, found: undefined, want }];
  if (Array.isArray(want)) {
    if (!Array.isArray(actual)) return [{ path, found: actual, want }];
    if (lists === "exact") return matchExactList(want, actual, path);
    return want.length > 0 && want.every(isNamed)
      ? matchNamedList(want, actual, path)
      : matchAnyList(want, actual, path);
  }
  if (isRecord(want)) {
    if (!isRecord(actual)) return [{ path, found: actual, want }];
    return Object.entries(want).flatMap(([key, value]) =>
      match(value, Object.hasOwn(actual, key) ? actual[key] : undefined, appendKey(path, key), lists),
    );
  }
  return want === actual || sameQuantity(want, actual) ? [] : [{ path, found: actual, want }];
}

/** `spec.containers[redis].image: found "redis123", want "redis"`; long values are elided around their first difference. */
export function formatMismatch(m: Mismatch): string {
  const prefix = m.path ? `${m.path}: ` : "";
  const at = differenceAt(m.found, m.want);
  const found = m.found === undefined ? undefined : `found ${formatValue(m.found, at)}`;
  const want = m.want === undefined ? undefined : `want ${formatValue(m.want, at)}`;
  if (m.message !== undefined) {
    const details = [found, want].filter((d) => d !== undefined);
    return `${prefix}${m.message}${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
  }
  return `${prefix}${found ?? "missing"}${want !== undefined ? `, ${want}` : ""}`;
}

/** Where the JSON texts of two values first differ; 0 when either is missing. */
function differenceAt(found: unknown, want: unknown): number {
  if (found === undefined || want === undefined) return 0;
  const a = JSON.stringify(found) ?? "";
  const b = JSON.stringify(want) ?? "";
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Appends a map key to a field path. Keys that are not plain words (label and
 * annotation keys such as `app.kubernetes.io/name`) are bracketed and quoted so
 * the path stays unambiguous.
 */
export function appendKey(path: string, key: string): string {
  if (!/^[\w-]+$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

/** How `match` compares lists: `contain` (each wanted item in some actual item) or `exact` (one to one). */
export type ListMode = "contain" | "exact";

/**
 * One-to-one pairing of wanted and actual items in any order (augmenting paths, so an early
 * greedy choice never hides a pairing that exists). A wrong count is reported as such; a
 * wanted item left without a partner by the differences from the nearest actual item left
 * without one, each such item named once: two ready endpoints wanted where neither is
 * ready reads `[0]… ; [1]…`, not `[0]` twice.
 */
function matchExactList(want: unknown[], actual: unknown[], path: string): Mismatch[] {
  if (want.length !== actual.length) {
    return [{ path, found: actual, want, message: `${actual.length} items, want exactly ${want.length}` }];
  }
  const tries = want.map((w) => actual.map((a) => match(w, a, "", "exact")));
  const partnerOf: (number | undefined)[] = actual.map(() => undefined);
  const place = (w: number, seen: Set<number>): boolean =>
    actual.some((_, a) => {
      if (tries[w]?.[a]?.length !== 0 || seen.has(a)) return false;
      seen.add(a);
      const other = partnerOf[a];
      if (other !== undefined && !place(other, seen)) return false;
      partnerOf[a] = w;
      return true;
    });
  const unplaced = want.flatMap((_, w) => (place(w, new Set()) ? [] : [w]));
  // As many actual items are left over as wanted ones, and none fits (it would have paired).
  const free = new Set(actual.flatMap((_, a) => (partnerOf[a] === undefined ? [a] : [])));
  return unplaced.flatMap((w) => {
    const item = want[w];
    const nearest = isRecord(item) ? nearestIndex(item, tries[w] ?? [], actual, free) : undefined;
    if (nearest === undefined)
      return [{ path: `${path}[${w}]`, found: actual, want: item, message: "no item matches" }];
    free.delete(nearest);
    return match(item, actual[nearest], `${path}[${nearest}]`, "exact");
  });
}

function matchNamedList(want: Named[], actual: unknown[], path: string): Mismatch[] {
  return want.flatMap((item) => {
    const itemPath = `${path}[${item.name}]`;
    const found = actual.find((a) => isRecord(a) && a.name === item.name);
    if (found !== undefined) return match(item, found, itemPath);
    const names = actual.flatMap((a) => (isRecord(a) && typeof a.name === "string" ? [a.name] : []));
    return [{ path: itemPath, found: names, message: `no item named ${JSON.stringify(item.name)}` }];
  });
}

function matchAnyList(want: unknown[], actual: unknown[], path: string): Mismatch[] {
  return want.flatMap((item, i) => {
    const tries = actual.map((a) => match(item, a));
    if (tries.some((t) => t.length === 0)) return [];
    const noMatch = { path: `${path}[${i}]`, found: actual, want: item, message: "no item matches" };
    if (!isRecord(item)) return [noMatch];
    // Show how the nearest item differs, field by field, rather than the whole list cut short.
    const nearest = nearestIndex(item, tries, actual);
    if (nearest === undefined) return [noMatch];
    const differences = match(item, actual[nearest], `${path}[${nearest}]`);
    // With one item there is nothing to choose from; its differences say it all.
    if (actual.length === 1) return differences;
    return [{ path, want: item, message: `no item matches; the nearest is [${nearest}]` }, ...differences];
  });
}

/**
 * The actual item (of those `among`, if given) with the fewest differences. On a tie, the one that agrees longest in the
 * order the author wrote the keys (`{type: Ready, status: "True"}` is nearest to the Ready
 * condition), then the first.
 */
function nearestIndex(
  item: JsonMap,
  tries: Mismatch[][],
  actual: unknown[],
  among?: Set<number>,
): number | undefined {
  const keys = Object.keys(item);
  const agreeing = (a: JsonMap) => {
    const differs = keys.findIndex((k) => match(item[k], Object.hasOwn(a, k) ? a[k] : undefined).length > 0);
    return differs === -1 ? keys.length : differs;
  };
  let best: { index: number; count: number; agree: number } | undefined;
  actual.forEach((a, index) => {
    if (!isRecord(a) || (among && !among.has(index))) return;
    const candidate = { index, count: tries[index]?.length ?? 0, agree: agreeing(a) };
    const better =
      !best ||
      candidate.count < best.count ||
      (candidate.count === best.count && candidate.agree > best.agree);
    if (better) best = candidate;
  });
  return best?.index;
}

type JsonMap = Record<string, unknown>;

interface Named extends JsonMap {
  name: string;
}

function isNamed(value: unknown): value is Named {
  return isRecord(value) && typeof value.name === "string";
}

function isRecord(value: unknown): value is JsonMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Suffixes of Kubernetes resource.Quantity: binary (Ki…Ei), decimal SI (n…E), or a decimal exponent.
const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const binaryPower: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalExponent: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/**
 * Quantities compare by value ("100m" == "0.1", "64Mi" == 67108864) only when at least
 * one side carries a unit suffix. Without one, numbers and numeric strings stay strictly
 * typed, so a port 80 never matches the string "80".
 */
function sameQuantity(want: unknown, actual: unknown): boolean {
  const a = parseQuantity(want);
  const b = parseQuantity(actual);
  return a !== undefined && b !== undefined && (a.suffixed || b.suffixed) && a.value === b.value;
}

function parseQuantity(value: unknown): { value: number; suffixed: boolean } | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? { value, suffixed: false } : undefined;
  if (typeof value !== "string") return undefined;
  const m = quantityPattern.exec(value);
  if (!m) return undefined;
  const [, mantissa = "", binary, decimal, exponent] = m;
  // Scaling through the exponent of a number literal keeps "300m" and "0.3" bit-identical.
  if (binary) return { value: Number(mantissa) * 2 ** (binaryPower[binary] ?? 0), suffixed: true };
  const scale = decimal ? (decimalExponent[decimal] ?? 0) : Number(exponent ?? 0);
  return { value: Number(`${mantissa}e${scale}`), suffixed: decimal !== undefined || exponent !== undefined };
}

const maxValueLength = 80;
// Characters of context kept before the first difference when a long value is elided.
const contextBefore = 24;

/**
 * Compact JSON that fits on one line of a report. A long value is cut around `at` (the index
 * in its JSON text where it differs from what was wanted), so the part that differs always shows.
 */
export function formatValue(value: unknown, at = 0): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= maxValueLength) return text;
  const start = Math.max(0, Math.min(at - contextBefore, text.length - maxValueLength));
  const end = start + maxValueLength;
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}
