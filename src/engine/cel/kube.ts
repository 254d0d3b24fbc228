import { type CelFunc, CelScalar, type CelValue, celFunc, isCelList, isCelMap } from "@bufbuild/cel";
import { currentRun, readKey } from "./runtime.js";

/** Ours: label selectors as the API server decides them, and reads from the check's snapshot. */
const { DYN, BOOL, STRING } = CelScalar;

function entries(v: CelValue | undefined): Map<string, CelValue> {
  const result = new Map<string, CelValue>();
  if (isCelMap(v)) for (const [k, value] of v) result.set(String(k), value);
  return result;
}

function strings(v: CelValue | undefined): string[] {
  return isCelList(v) ? Array.from(v, String) : [];
}

/**
 * metav1.LabelSelectorAsSelector: a null selector selects nothing, an empty one everything;
 * matchLabels and every matchExpression must hold.
 */
export function selects(selector: CelValue, labels: CelValue): boolean {
  if (selector === null) return false;
  if (!isCelMap(selector))
    throw new Error("selects() takes a label selector (matchLabels, matchExpressions)");
  const have = entries(labels);
  for (const [key, value] of entries(selector.get("matchLabels"))) {
    if (have.get(key) !== value) return false;
  }
  const expressions = selector.get("matchExpressions");
  for (const expression of isCelList(expressions) ? expressions : []) {
    const e = entries(expression);
    if (!requirementHolds(String(e.get("key")), String(e.get("operator")), strings(e.get("values")), have)) {
      return false;
    }
  }
  return true;
}

function requirementHolds(key: string, operator: string, values: string[], have: Map<string, CelValue>) {
  const value = have.get(key);
  const present = value !== undefined;
  switch (operator) {
    case "In":
    case "NotIn": {
      if (values.length === 0) throw new Error(`${operator} needs at least one value (key ${key})`);
      const listed = present && values.includes(String(value));
      return operator === "In" ? listed : !listed;
    }
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) throw new Error(`${operator} takes no values (key ${key})`);
      return operator === "Exists" ? present : !present;
    default:
      throw new Error(
        `unknown selector operator ${JSON.stringify(operator)}: use In, NotIn, Exists or DoesNotExist`,
      );
  }
}

function read(fn: "get" | "list", args: string[]): CelValue {
  const reads = currentRun()?.reads;
  const key = readKey(fn, args);
  if (!reads?.has(key)) {
    throw new Error(
      `cluster.${fn}(${args.map((a) => JSON.stringify(a)).join(", ")}) was not read: its arguments must be literals or vars`,
    );
  }
  return (reads.get(key) ?? null) as CelValue;
}

export const kube: CelFunc[] = [
  celFunc("selects", [DYN, DYN], BOOL, selects),
  celFunc("cluster.get", [STRING, STRING], DYN, (kind, name) => read("get", [kind, name])),
  celFunc("cluster.get", [STRING, STRING, STRING], DYN, (kind, ns, name) => read("get", [kind, ns, name])),
  celFunc("cluster.list", [STRING], DYN, (kind) => read("list", [kind])),
  celFunc("cluster.list", [STRING, STRING], DYN, (kind, ns) => read("list", [kind, ns])),
];
