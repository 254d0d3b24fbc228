import { type CelValue, isCelList, isCelMap, isCelUint } from "@bufbuild/cel";

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
