import { bindOf, children, descendants, type Expr } from "./ast.js";
import { costFunction } from "./runtime.js";

/**
 * Prepares a parsed expression for planning: `cel.bind` becomes the comprehension that
 * binds its variable (as cel-go expands the macro), and every loop charges the cost
 * counter on each iteration, so that a loop over huge or nested lists stops at the budget.
 */
export function rewrite(root: Expr): Expr {
  // New nodes need ids of their own: error messages and positions are keyed by id.
  let nextId = 1n;
  for (const e of descendants(root)) if (e.id >= nextId) nextId = e.id + 1n;
  const node = (exprKind: object): Expr => ({ $typeName: "cel.expr.Expr", id: nextId++, exprKind }) as Expr;
  const constant = (constantKind: object) =>
    node({ case: "constExpr", value: { $typeName: "cel.expr.Constant", constantKind } });
  const call = (fn: string, args: Expr[]) =>
    node({ case: "callExpr", value: { $typeName: "cel.expr.Expr.Call", function: fn, args } });

  const visit = (expr: Expr): void => {
    for (const child of children(expr)) visit(child);
    const bind = bindOf(expr);
    if (bind) {
      expr.exprKind = {
        case: "comprehensionExpr",
        value: {
          $typeName: "cel.expr.Expr.Comprehension",
          iterVar: "#unused",
          iterVar2: "",
          iterRange: node({
            case: "listExpr",
            value: { $typeName: "cel.expr.Expr.CreateList", elements: [], optionalIndices: [] },
          }),
          accuVar: bind.name,
          accuInit: bind.init,
          loopCondition: constant({ case: "boolValue", value: false }),
          loopStep: node({ case: "identExpr", value: { $typeName: "cel.expr.Expr.Ident", name: bind.name } }),
          result: bind.body,
        },
      } as Expr["exprKind"];
      return;
    }
    if (expr.exprKind.case !== "comprehensionExpr") return;
    const loop = expr.exprKind.value;
    if (!loop.loopCondition || !loop.loopStep) return;
    // An iteration costs about one unit per node it evaluates, as the API server counts.
    const weight = BigInt(descendants(loop.loopStep).length + descendants(loop.loopCondition).length);
    const charge = call(costFunction, [constant({ case: "int64Value", value: weight })]);
    loop.loopCondition = call("_&&_", [charge, loop.loopCondition]);
  };
  visit(root);
  return root;
}
