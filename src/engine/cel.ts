import {
  type CelError,
  type CelInput,
  type CelResult,
  celError,
  celType,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
  unparse,
} from "@bufbuild/cel";
import type { Mismatch } from "../model/results.js";
import type { ExpressionChecker } from "../model/template.js";
import { descendants, type Expr } from "./cel/ast.js";
import { celProblems } from "./cel/check.js";
import { env } from "./cel/env.js";
import { regexProblem } from "./cel/regex.js";
import { rewrite } from "./cel/rewrite.js";
import { costLimit, type Reads, type Run, timeLimitMs, withRun } from "./cel/runtime.js";
import { toCelBindings } from "./cel/values.js";
import { appendKey, formatValue } from "./match.js";

export { type CelProblem, celProblems } from "./cel/check.js";
export { fetchReads, prepare, type Read } from "./cel/reads.js";
export type { Reads } from "./cel/runtime.js";

type Program = (bindings: Record<string, unknown>) => CelResult;

interface Compiled {
  root: Expr;
  program: Program;
  /** Set when the expression is `<field path> <op> <literal>`, so a failure can show both sides. */
  comparison?: { left: Program; path: string; op: string; want: unknown };
}

/** The variables a check's expression may name; setup's wait has only object and vars. */
export const checkVariables = ["object", "objects", "vars", "uids"] as const;

/** What catalog validation is handed: the CEL type checker and the RE2 pattern check. */
export const expressionChecker: ExpressionChecker = { checkVariables, celProblems, regexProblem };

const comparisonOps = new Set(["_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_"]);
// Checks are re-evaluated on every poll; parsing and planning once per expression text saves most of the time.
const cache = new Map<string, Compiled | string>();
const noReads: Reads = new Map();

/**
 * Evaluates a check expression. Passes only on exactly `true`; anything else, including
 * evaluation errors, comes back as a Mismatch that says why.
 */
export function evaluate(
  expr: string,
  bindings: Record<string, unknown>,
  reads: Reads = noReads,
): true | Mismatch {
  const compiled = compile(expr);
  if (typeof compiled === "string") return { path: "", message: `invalid expression: ${compiled}` };
  const values = toCelBindings(bindings);
  const run: Run = { cost: 0, limit: costLimit, deadline: Date.now() + timeLimitMs, reads };
  const result = withRun(run, () => compiled.program(values));
  if (run.exceeded) {
    const spent =
      run.exceeded === "cost"
        ? `spent more than ${costLimit.toLocaleString("en")}`
        : `ran longer than ${timeLimitMs} ms`;
    return { path: "", message: `CEL cost limit exceeded: ${expr} ${spent}` };
  }
  if (isCelError(result)) return errorMismatch(result, compiled.root);
  if (result === true) return true;
  if (result !== false) {
    return { path: "", message: `expression returned ${formatValue(toPlain(result))}, not a boolean` };
  }
  const failed: Mismatch = { path: "", message: `expect: ${expr} is false` };
  if (!compiled.comparison) return failed;
  const { left, path, op, want } = compiled.comparison;
  const found = withRun({ ...run, cost: 0 }, () => left(values));
  if (isCelError(found)) return failed;
  // A failed field comparison reads like a failed match: the field, what it holds, what was wanted.
  if (op === "_==_") return { path, found: toPlain(found), want };
  const symbol = op.replaceAll("_", "");
  return { path, found: toPlain(found), message: `want ${symbol} ${formatValue(want)}` };
}

function compile(expr: string): Compiled | string {
  let compiled = cache.get(expr);
  if (compiled === undefined) {
    compiled = expr.trim() === "" ? "expression is empty" : compileUncached(expr);
    cache.set(expr, compiled);
  }
  return compiled;
}

function compileUncached(expr: string): Compiled | string {
  try {
    const root = parse(expr).expr;
    // The comparison reads the original tree; the program runs the rewritten copy.
    const comparison = comparisonOf(root);
    return { root, program: toProgram(rewrite(parse(expr).expr)), comparison };
  } catch (err) {
    return (err as Error).message;
  }
}

function toProgram(expr: Expr): Program {
  const planned = plan(env, expr);
  return (bindings) => {
    try {
      return planned(bindings as Record<string, CelInput>);
    } catch (err) {
      return celError(err);
    }
  };
}

function comparisonOf(root: Expr): Compiled["comparison"] {
  if (root.exprKind.case !== "callExpr") return undefined;
  const { function: op, args } = root.exprKind.value;
  const [left, right] = args;
  if (!comparisonOps.has(op) || !left || right?.exprKind.case !== "constExpr") return undefined;
  const path = fieldPath(left) ?? computedPath(left);
  if (path === undefined) return undefined;
  const constant = right.exprKind.value.constantKind;
  const want = constant.case === "nullValue" ? null : toPlain(constant.value);
  return { left: toProgram(left), path, op, want };
}

/**
 * A computed left side (`helm.release(object).info.description`, `size(object.spec.ports)`)
 * is named by its own text, so its failure shows what it found too. Not one with a macro:
 * its text would be the expanded loop, not what the author wrote.
 */
function computedPath(left: Expr): string | undefined {
  if (descendants(left).some((e) => e.exprKind.case === "comprehensionExpr")) return undefined;
  return unparse(left);
}

/** A missing field or list item becomes a Mismatch at its path; other errors keep their message. */
function errorMismatch(err: CelError, root: Expr): Mismatch {
  const missing =
    /^field not found: (.*)$/.exec(err.message)?.[1] ?? /^index (\d+) out of bounds/.exec(err.message)?.[1];
  const path = missing === undefined ? undefined : missingPath(root, err.exprId, missing);
  return path === undefined ? { path: "", message: err.message } : { path, message: "missing" };
}

/**
 * Finds the field path whose last segment is the missing key. The error's expression id
 * identifies it for field selections but not always for index access, so other paths
 * ending in the same key are the fallback.
 */
function missingPath(root: Expr, exprId: bigint | undefined, key: string): string | undefined {
  const candidates = descendants(root).filter((e) => lastSegment(e) === key);
  const chosen = candidates.find((e) => e.id === exprId) ?? candidates[0];
  return chosen && fieldPath(chosen);
}

/** The key a select or constant index expression reads, e.g. "phase" for object.status.phase. */
function lastSegment(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === "selectExpr") return kind.value.field;
  const index = indexConstant(expr);
  return index === undefined ? undefined : String(index);
}

/**
 * Renders `object.metadata.labels["app.kubernetes.io/name"]` as the match-style path
 * `metadata.labels["app.kubernetes.io/name"]`; undefined when the expression is not a field path.
 */
function fieldPath(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return kind.value.name === "object" ? "" : kind.value.name;
  const operand = kind.case === "selectExpr" ? kind.value.operand : indexOperand(expr);
  const base = operand && fieldPath(operand);
  if (base === undefined) return undefined;
  if (kind.case === "selectExpr") return appendKey(base, kind.value.field);
  const index = indexConstant(expr);
  return typeof index === "string" ? appendKey(base, index) : `${base}[${index}]`;
}

function indexOperand(expr: Expr): Expr | undefined {
  return indexConstant(expr) === undefined || expr.exprKind.case !== "callExpr"
    ? undefined
    : expr.exprKind.value.args[0];
}

/** The string or integer constant of `x[...]`, if the expression is such an index access. */
function indexConstant(expr: Expr): string | bigint | undefined {
  if (expr.exprKind.case !== "callExpr" || expr.exprKind.value.function !== "_[_]") return undefined;
  const key = expr.exprKind.value.args[1]?.exprKind;
  if (key?.case !== "constExpr") return undefined;
  const constant = key.value.constantKind;
  return constant.case === "stringValue" || constant.case === "int64Value" ? constant.value : undefined;
}

/** Converts a CEL value to plain JSON-friendly data for messages and Mismatch fields. */
function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (isCelUint(value)) return toPlain(value.value);
  if (isCelList(value)) return Array.from(value, toPlain);
  if (isCelMap(value))
    return Object.fromEntries(Array.from(value, ([k, v]) => [String(toPlain(k)), toPlain(v)]));
  if (value === null || typeof value !== "object") return value;
  // Timestamps, durations and bytes have no JSON form worth showing; their type says enough.
  return `<${celType(value as Parameters<typeof celType>[0]).name}>`;
}
