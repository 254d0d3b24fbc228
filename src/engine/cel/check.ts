import { parse } from "@bufbuild/cel";
import { bindOf, children, descendants, type Expr, stringConstant } from "./ast.js";
import { signatures } from "./env.js";
import { regexProblem } from "./regex.js";
import { costLimit } from "./runtime.js";

/** A problem in an expression, at a character offset into its text. */
export interface CelProblem {
  offset: number;
  message: string;
}

/** validate's assumption for a list whose length only the cluster knows. */
export const unknownListSize = 100;

// Calls the parser and planner treat as syntax rather than as functions.
const syntaxCalls = new Set(["_&&_", "_||_", "_?_:_", "_[_]", "@not_strictly_false", "@in"]);
const regexMethods = new Set(["matches", "find", "findAll"]);
// Type names are identifiers too: `type(x) == string`.
const typeNames = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"];

/**
 * Checks an expression without running it: that it parses, names only declared variables
 * and known functions (with a known number of arguments), that literal patterns are RE2,
 * that cluster reads can be made before evaluation, and that its estimated cost fits.
 */
export function celProblems(text: string, variables: readonly string[]): CelProblem[] {
  if (text.trim() === "") return [{ offset: 0, message: "expression is empty" }];
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    const message = (err as Error).message;
    return [{ offset: parseErrorOffset(text, message), message: `CEL does not compile: ${message}` }];
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const problems: CelProblem[] = [];
  const at = (e: Expr) => Number(positions[String(e.id) as never] ?? 0);
  // A method call is placed at its name (the parser records the dot before it); anything else at its start.
  const report = (expr: Expr, message: string) => {
    const method = expr.exprKind.case === "callExpr" && expr.exprKind.value.target;
    const offset = method ? at(expr) + 1 : Math.min(...descendants(expr).map(at));
    problems.push({ offset, message });
  };
  visit(parsed.expr, new Set([...variables, ...typeNames]), report);
  const cost = estimate(parsed.expr);
  if (cost > costLimit) {
    report(
      parsed.expr,
      `estimated cost ${cost.toLocaleString("en")} exceeds the limit of ${costLimit.toLocaleString("en")} (a list of unknown length counts as ${unknownListSize} items; nested loops multiply)`,
    );
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/** The parser says `<input>:LINE:COLUMN: …`; the offset lets validate point into task.yaml. */
function parseErrorOffset(text: string, message: string): number {
  const [, line, column] = /^<input>:(\d+):(\d+):/.exec(message) ?? [];
  if (!line || !column) return 0;
  const lineStart = text
    .split("\n")
    .slice(0, Number(line) - 1)
    .reduce((sum, l) => sum + l.length + 1, 0);
  return lineStart + Number(column) - 1;
}

type Report = (expr: Expr, message: string) => void;

function visit(expr: Expr, scope: Set<string>, report: Report): void {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") {
    if (!scope.has(kind.value.name)) {
      const known = [...scope].filter((v) => !v.startsWith("@") && !typeNames.includes(v));
      report(expr, `unknown variable '${kind.value.name}' (known here: ${known.join(", ")})`);
    }
    return;
  }
  if (kind.case === "comprehensionExpr") {
    const loop = kind.value;
    const inner = new Set([...scope, loop.iterVar, loop.accuVar]);
    for (const e of [loop.iterRange, loop.accuInit]) if (e) visit(e, scope, report);
    for (const e of [loop.loopCondition, loop.loopStep]) if (e) visit(e, inner, report);
    if (loop.result) visit(loop.result, new Set([...scope, loop.accuVar]), report);
    return;
  }
  if (kind.case !== "callExpr") {
    for (const child of children(expr)) visit(child, scope, report);
    return;
  }
  const bind = bindOf(expr);
  if (bind) {
    visit(bind.init, scope, report);
    visit(bind.body, new Set([...scope, bind.name]), report);
    return;
  }
  const { function: fn, target, args } = kind.value;
  const qualifier =
    target?.exprKind.case === "identExpr" && !scope.has(target.exprKind.value.name)
      ? target.exprKind.value.name
      : undefined;
  const qualified =
    qualifier && signatures.global.has(`${qualifier}.${fn}`) ? `${qualifier}.${fn}` : undefined;
  let known = true;
  if (qualified) {
    arity(expr, qualified, signatures.global.get(qualified), args.length, report);
    if (qualifier === "cluster") clusterArguments(args, qualified, report);
  } else if (!syntaxCalls.has(fn)) {
    const table = target ? signatures.method : signatures.global;
    known = arity(expr, target ? `.${fn}` : fn, table.get(fn), args.length, report);
  }
  if (regexMethods.has(fn)) {
    const pattern = stringConstant(args[0]);
    const problem = pattern === undefined ? undefined : regexProblem(pattern);
    if (problem && args[0]) report(args[0], problem);
  }
  // The arguments of an unknown macro would only repeat the problem as unknown variables.
  const checked = qualified ? args : known ? children(expr) : target ? [target] : [];
  for (const child of checked) visit(child, scope, report);
}

function arity(expr: Expr, name: string, known: Set<number> | undefined, count: number, report: Report) {
  if (!known) report(expr, `unknown function or macro '${name}'`);
  else if (!known.has(count))
    report(expr, `'${name}' takes ${[...known].join(" or ")} arguments, not ${count}`);
  return known !== undefined;
}

/** cluster.get/list are read before evaluation, so their arguments must be known beforehand. */
function clusterArguments(args: Expr[], name: string, report: Report) {
  for (const arg of args) {
    if (stringConstant(arg) === undefined && varsField(arg) === undefined) {
      report(
        arg,
        `${name}() takes string literals or vars.NAME as arguments, so that it can be read before the expression runs`,
      );
    }
  }
}

/** NAME of `vars.NAME`. */
export function varsField(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case !== "selectExpr" || kind.value.testOnly) return undefined;
  const operand = kind.value.operand?.exprKind;
  return operand?.case === "identExpr" && operand.value.name === "vars" ? kind.value.field : undefined;
}

/** Worst-case cost: one per node, loops multiply their body by the length of what they iterate. */
export function estimate(expr: Expr): number {
  const kind = expr.exprKind;
  if (kind.case === "comprehensionExpr") {
    const { iterRange, accuInit, loopCondition, loopStep, result } = kind.value;
    const body = (loopCondition ? estimate(loopCondition) : 0) + (loopStep ? estimate(loopStep) : 0);
    const outside = [iterRange, accuInit, result].reduce((sum, e) => sum + (e ? estimate(e) : 0), 0);
    return outside + lengthOf(iterRange) * body;
  }
  return children(expr).reduce((sum, e) => sum + estimate(e), 1);
}

function lengthOf(range: Expr | undefined): number {
  const kind = range?.exprKind;
  if (kind?.case === "listExpr") return kind.value.elements.length;
  if (kind?.case === "structExpr") return kind.value.entries.length;
  return unknownListSize;
}
