/**
 * Values for {{name}} placeholders in a task: worker, namespace, the task's own vars…
 * Drawn variables may be numbers (a port, a replica count); everything read is text.
 */
export type Vars = Record<string, string | number> & Partial<Record<BuiltinVariable, string>>;

/** The variables every task has, from the cluster and the task itself. */
export const builtinVariables = [
  "namespace",
  "taskId",
  "answers",
  "worker",
  "worker2",
  "controlPlane",
] as const;
export type BuiltinVariable = (typeof builtinVariables)[number];

/** A {{name}} placeholder; the names of variables start with a letter. */
export const placeholder = /\{\{\s*([A-Za-z][\w]*)\s*\}\}/g;

/** Fills {{name}} placeholders in every string inside value; unknown names stay as they are. */
export function fill<T>(value: T, vars: Vars): T {
  return fillWith(value, (text) =>
    text.replace(placeholder, (whole, key: string) => String(vars[key] ?? whole)),
  );
}

const wholePlaceholder = /^\{\{\s*([A-Za-z][\w]*)\s*\}\}$/;

/**
 * Fills a manifest or a check's `match`, where Kubernetes tells 8080 from "8080": a
 * string that is exactly one placeholder takes the variable's value as it is, so
 * `containerPort: "{{port}}"` is the number a range drew. Text around a placeholder
 * makes it text, as fill does.
 */
export function fillManifest<T>(value: T, vars: Vars): T {
  return fillWith(value, (text) => {
    const key = wholePlaceholder.exec(text)?.[1];
    return key !== undefined && vars[key] !== undefined ? vars[key] : fill(text, vars);
  });
}

function fillWith<T>(value: T, fillText: (text: string) => unknown): T {
  if (typeof value === "string") return fillText(value) as T;
  if (Array.isArray(value)) return value.map((v) => fillWith(v, fillText)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillWith(v, fillText)])) as T;
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
