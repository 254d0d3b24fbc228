import { type CelFunc, type CelList, CelScalar, celMethod, listType } from "@bufbuild/cel";
import { celEquals, compareValues, typeName } from "./values.js";

/** Kubernetes' list library (k8s.io/apiserver/pkg/cel/library/lists.go). */
const list = listType(CelScalar.DYN);
const { DYN, INT, BOOL } = CelScalar;

function items(l: CelList) {
  return Array.from(l);
}

function extreme(name: string, l: CelList, sign: 1 | -1) {
  const all = items(l);
  if (all.length === 0) throw new Error(`${name}() called on an empty list`);
  return all.reduce((best, v) => (compareValues(v, best) * sign > 0 ? v : best));
}

function sum(l: CelList) {
  const all = items(l);
  if (all.length === 0) return 0n;
  const kind = typeName(all[0] ?? null);
  if (all.some((v) => typeName(v) !== kind)) throw new Error("sum() needs a list of one numeric type");
  if (kind === "int") return all.reduce((a, v) => (a as bigint) + (v as bigint));
  if (kind === "double") return all.reduce((a, v) => (a as number) + (v as number));
  throw new Error(`sum() of a list of ${kind}`);
}

export const lists: CelFunc[] = [
  celMethod("isSorted", list, [], BOOL, function () {
    const all = items(this);
    return all.every((v, i) => i === 0 || compareValues(all[i - 1] ?? null, v) <= 0);
  }),
  celMethod("sum", list, [], DYN, function () {
    return sum(this);
  }),
  celMethod("min", list, [], DYN, function () {
    return extreme("min", this, -1);
  }),
  celMethod("max", list, [], DYN, function () {
    return extreme("max", this, 1);
  }),
  celMethod("indexOf", list, [DYN], INT, function (want) {
    return BigInt(items(this).findIndex((v) => celEquals(v, want)));
  }),
  celMethod("lastIndexOf", list, [DYN], INT, function (want) {
    return BigInt(items(this).findLastIndex((v) => celEquals(v, want)));
  }),
];
