/** Values for {{name}} placeholders in a task: worker, namespace, the task's own vars… */
export type Vars = Record<string, string>;

/** Fills {{name}} placeholders in every string inside value; unknown names stay as they are. */
export function fill<T>(value: T, vars: Vars): T {
  if (typeof value === "string") {
    return value.replace(/\{\{\s*([A-Za-z][\w]*)\s*\}\}/g, (whole, key: string) => vars[key] ?? whole) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)])) as T;
  }
  return value;
}

/**
 * Checks the task language's expressions (CEL) and patterns (RE2); catalog validation
 * is handed one, so it needs no engine.
 */
export interface ExpressionChecker {
  /** The variables a check's expression may name. */
  readonly checkVariables: readonly string[];
  /** Each problem of an expression that may name these variables, at its offset in the text. */
  celProblems(expr: string, variables: readonly string[]): { offset: number; message: string }[];
  /** Why a pattern is not an RE2 regular expression, or undefined when it is one. */
  regexProblem(pattern: string): string | undefined;
}
