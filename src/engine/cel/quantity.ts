import { type CelFunc, CelScalar, type CelValue, celFunc, celMethod, isCelMap, mapType } from "@bufbuild/cel";

/**
 * Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go). CEL here has
 * no custom types, so a quantity is a one-entry map holding its text; its methods compute
 * with exact fractions, as resource.Quantity does.
 */
const marker = "@quantity";
const quantityType = mapType(CelScalar.STRING, CelScalar.DYN);
const { STRING, BOOL, INT, DOUBLE } = CelScalar;

interface Fraction {
  num: bigint;
  den: bigint;
}

const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const maxExponent = 100;
const syntax = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The exact value of a quantity such as "500m", "1.5Gi" or "12e6"; undefined when it is not one. */
export function parseQuantity(text: string): Fraction | undefined {
  const [, sign, number = "", suffix = ""] = syntax.exec(text) ?? [];
  if (sign === undefined) return undefined;
  const [whole = "", part = ""] = number.split(".");
  let num = BigInt(`${whole}${part}` || "0") * (sign === "-" ? -1n : 1n);
  let den = 10n ** BigInt(part.length);
  const exponent = binary[suffix] !== undefined ? undefined : (decimal[suffix] ?? Number(suffix.slice(1)));
  // A huge exponent would make a huge integer; no resource amount needs one.
  if (Math.abs(exponent ?? 0) > maxExponent || number.length > maxExponent) return undefined;
  if (exponent === undefined) num *= 2n ** BigInt(binary[suffix] as number);
  else if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den *= 10n ** BigInt(-exponent);
  return reduce({ num, den });
}

function reduce({ num, den }: Fraction): Fraction {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const g = gcd(num < 0n ? -num : num, den) || 1n;
  return { num: num / g, den: den / g };
}

/**
 * One text per value ("70000", "5e-1" for 500m), so that equal quantities are equal maps and
 * `==` holds between them as it does in Kubernetes. A reduced denominator divides a power of ten.
 */
function canonical({ num, den }: Fraction): string {
  let digits = 0;
  while (10n ** BigInt(digits) % den !== 0n) digits++;
  return digits === 0 ? String(num) : `${num * (10n ** BigInt(digits) / den)}e-${digits}`;
}

function quantity(value: Fraction): CelValue {
  return new Map([[marker, canonical(value)]]) as unknown as CelValue;
}

function fractionOf(q: CelValue): Fraction {
  const text = isCelMap(q) ? q.get(marker) : undefined;
  const parsed = typeof text === "string" ? parseQuantity(text) : undefined;
  if (!parsed) throw new Error('not a quantity: create one with quantity("…")');
  return parsed;
}

function compare(a: Fraction, b: Fraction): bigint {
  const diff = a.num * b.den - b.num * a.den;
  return diff < 0n ? -1n : diff > 0n ? 1n : 0n;
}

function add(a: Fraction, b: Fraction, sign: 1n | -1n): Fraction {
  return reduce({ num: a.num * b.den + sign * b.num * a.den, den: a.den * b.den });
}

const maxInt = 2n ** 63n - 1n;
const isInteger = (f: Fraction) => f.den === 1n && f.num <= maxInt && f.num >= -maxInt - 1n;
const whole = (n: bigint): Fraction => ({ num: n, den: 1n });

export const quantities: CelFunc[] = [
  celFunc("quantity", [STRING], quantityType, (text) => {
    const value = parseQuantity(text);
    if (!value) throw new Error(`${JSON.stringify(text)} is not a quantity (such as 500m, 1.5Gi, 2e3)`);
    return quantity(value) as never;
  }),
  celFunc("isQuantity", [STRING], BOOL, (text) => parseQuantity(text) !== undefined),
  celMethod("sign", quantityType, [], INT, function () {
    return compare(fractionOf(this), whole(0n));
  }),
  celMethod("isInteger", quantityType, [], BOOL, function () {
    return isInteger(fractionOf(this));
  }),
  celMethod("asInteger", quantityType, [], INT, function () {
    const value = fractionOf(this);
    if (!isInteger(value)) throw new Error("cannot convert value to integer");
    return value.num;
  }),
  celMethod("asApproximateFloat", quantityType, [], DOUBLE, function () {
    const { num, den } = fractionOf(this);
    return Number(num) / Number(den);
  }),
  celMethod("compareTo", quantityType, [quantityType], INT, function (other) {
    return compare(fractionOf(this), fractionOf(other));
  }),
  celMethod("isGreaterThan", quantityType, [quantityType], BOOL, function (other) {
    return compare(fractionOf(this), fractionOf(other)) > 0n;
  }),
  celMethod("isLessThan", quantityType, [quantityType], BOOL, function (other) {
    return compare(fractionOf(this), fractionOf(other)) < 0n;
  }),
  celMethod("add", quantityType, [quantityType], quantityType, function (other) {
    return quantity(add(fractionOf(this), fractionOf(other), 1n)) as never;
  }),
  celMethod("add", quantityType, [INT], quantityType, function (n) {
    return quantity(add(fractionOf(this), whole(n), 1n)) as never;
  }),
  celMethod("sub", quantityType, [quantityType], quantityType, function (other) {
    return quantity(add(fractionOf(this), fractionOf(other), -1n)) as never;
  }),
  celMethod("sub", quantityType, [INT], quantityType, function (n) {
    return quantity(add(fractionOf(this), whole(n), -1n)) as never;
  }),
];
