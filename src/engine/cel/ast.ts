import type { parse } from "@bufbuild/cel";

export type Expr = ReturnType<typeof parse>["expr"];
export type Parsed = ReturnType<typeof parse>;

/** The direct subexpressions of an expression, in source order. */
export function children(expr: Expr): Expr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "selectExpr":
      return kind.value.operand ? [kind.value.operand] : [];
    case "callExpr":
      return [...(kind.value.target ? [kind.value.target] : []), ...kind.value.args];
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return kind.value.entries.flatMap((entry) => [
        ...(entry.keyKind.case === "mapKey" ? [entry.keyKind.value] : []),
        ...(entry.value ? [entry.value] : []),
      ]);
    case "comprehensionExpr": {
      const { iterRange, accuInit, loopCondition, loopStep, result } = kind.value;
      return [iterRange, accuInit, loopCondition, loopStep, result].filter((e) => e !== undefined);
    }
    default:
      return [];
  }
}

export function descendants(expr: Expr): Expr[] {
  return [expr, ...children(expr).flatMap(descendants)];
}

/** `cel.bind(name, init, body)`: the call's parts, or undefined when the expression is not one. */
export function bindOf(expr: Expr): { name: string; init: Expr; body: Expr } | undefined {
  const kind = expr.exprKind;
  if (kind.case !== "callExpr" || kind.value.function !== "bind") return undefined;
  const target = kind.value.target?.exprKind;
  if (target?.case !== "identExpr" || target.value.name !== "cel") return undefined;
  const [variable, init, body] = kind.value.args;
  if (kind.value.args.length !== 3 || variable?.exprKind.case !== "identExpr" || !init || !body)
    return undefined;
  return { name: variable.exprKind.value.name, init, body };
}

/** The string constant an expression is, if it is one. */
export function stringConstant(expr: Expr | undefined): string | undefined {
  const kind = expr?.exprKind;
  if (kind?.case !== "constExpr") return undefined;
  const constant = kind.value.constantKind;
  return constant.case === "stringValue" ? constant.value : undefined;
}
