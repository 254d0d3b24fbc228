import { builtinVariables, placeholder } from "../model/template.js";
import type { Task } from "./schema.js";
import type { Path } from "./yaml-source.js";

/** One {{name}} in a string of a task or manifest: the string's path and the offset inside it. */
export interface Use {
  name: string;
  path: Path;
  offset: number;
}

/** Every {{name}} in the strings of value, walking maps and lists. */
export function placeholdersIn(value: unknown, path: Path = []): Use[] {
  if (typeof value === "string") {
    return [...value.matchAll(placeholder)].map((m) => ({ name: m[1] as string, path, offset: m.index }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersIn(v, [...path, i]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => placeholdersIn(v, [...path, k]));
  }
  return [];
}

/** The names a task's {{placeholders}} may use: the built-in variables and its own. */
export function knownVariables(task: Task): Set<string> {
  return new Set([...builtinVariables, ...Object.keys(task.vars ?? {})]);
}

/** The variables a CEL expression names as vars.NAME or vars["NAME"]. */
export function celVariables(expr: string | undefined): string[] {
  if (!expr) return [];
  return [...expr.matchAll(/\bvars\s*(?:\.\s*([A-Za-z]\w*)|\[\s*["']([A-Za-z]\w*)["']\s*\])/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

export function unknownMessage(name: string, task: Task): string {
  const own = Object.keys(task.vars ?? {});
  return `unknown variable {{${name}}}: declare it under vars, or use one of ${[...own, ...builtinVariables].join(", ")}`;
}
