import { dirname } from "node:path";
import type * as z from "zod";
import type { TaskProblem } from "../errors.js";
import type { ExpressionChecker } from "../model/template.js";
import { loadProofs, type Proofs } from "./proofs.js";
import { type Task, taskSchema } from "./schema.js";
import { semanticProblems } from "./semantics.js";
import { at, type Located, type Path, parseYaml, readText } from "./yaml-source.js";

export { formatPath, type ManifestDoc, parseManifests, readManifestFile } from "./yaml-source.js";

/** A task as loaded: the validated data plus where it came from. */
export interface LoadedTask {
  task: Task;
  dir: string;
  file: string;
  /** Other correct and wrong solutions from proofs.yaml, when the task has one. */
  proofs?: Proofs;
}

export type LoadResult = { ok: true; loaded: LoadedTask } | { ok: false; problems: TaskProblem[] };

type Issue = z.core.$ZodIssue;

/**
 * Loads and validates one task.yaml; never throws for anything the file holds.
 * CEL is compiled by the engine's compiler, handed in, so the catalog needs no engine.
 */
export async function loadTask(file: string, expressionChecker: ExpressionChecker): Promise<LoadResult> {
  const text = await readText(file);
  if (typeof text !== "string") return { ok: false, problems: [text] };
  const source = parseYaml(text, file);
  if (Array.isArray(source)) return { ok: false, problems: source };
  const { where, data } = source;
  const shape = shapeMessage(data);
  if (shape) return { ok: false, problems: [at(where, [], shape)] };
  const parsed = taskSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.flatMap((issue) => issueProblems(where, data, issue, [])),
    };
  }
  const dir = dirname(file);
  const proofs = await loadProofs(parsed.data, dir);
  const problems = [
    ...(await semanticProblems(parsed.data, dir, where, expressionChecker)),
    ...(Array.isArray(proofs) ? proofs : []),
  ];
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, loaded: { task: parsed.data, dir, file, proofs: proofs as Proofs | undefined } };
}

function shapeMessage(data: unknown): string | undefined {
  if (data === null || data === undefined) return "the file is empty; a task is a mapping (id: …, title: …)";
  if (Array.isArray(data)) return "a task file must be a mapping (id: …, title: …), not a list";
  if (typeof data !== "object") return "a task file must be a mapping (id: …, title: …), not a single value";
  return undefined;
}

function issueProblems(where: Located, data: unknown, issue: Issue, prefix: Path): TaskProblem[] {
  const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => at(where, [...path, key], `unknown field "${key}"`, "key"));
  }
  if (issue.code === "invalid_union") {
    // The one form the object is meant to be is the one that knows all its keys.
    const meant = issue.errors.filter(
      (branch) => !branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0),
    );
    if (meant.length === 1) return (meant[0] as Issue[]).flatMap((i) => issueProblems(where, data, i, path));
    return [at(where, path, unionMessage(path))];
  }
  return [at(where, path, issueMessage(issue, path, valueAt(data, path)))];
}

function issueMessage(issue: Issue, path: Path, value: unknown): string {
  const last = path[path.length - 1];
  if (path.length === 1 && last === "solution") {
    return "a task needs a runnable reference solution: the shell script `kubedrill verify` runs to prove the task";
  }
  if (path.length === 1 && last === "checks" && issue.code === "too_small")
    return "a task needs at least one check";
  if (value === undefined) return `missing required field "${String(last)}"`;
  if (last === "points")
    return `must be a positive whole number of points (1, 2, …); found ${describe(value)}`;
  if (last === "minutes") return `must be a positive number of minutes; found ${describe(value)}`;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${expectedNames[issue.expected] ?? issue.expected}, found ${describe(value)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}; found ${describe(value)}`;
    case "invalid_format":
      return last === "namespace"
        ? `must be a namespace name (lowercase letters, digits and -); found ${describe(value)}`
        : `must be ${issue.message.replace(/^Invalid string: /, "")}; found ${describe(value)}`;
    case "too_small":
      return typeof value === "string" ? "must not be empty" : issue.message;
    default:
      return issue.message;
  }
}

const expectedNames: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

function describe(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function unionMessage(path: Path): string {
  if (path[0] === "setup") {
    return "a setup step has exactly one of apply, delete, patch, labelNode, taintNode, cordonNode, writeNodeFile, editNodeFile, removeNodeFile, systemctl, wait, waitApiServer, install, helmInstall, copyToAnswers, with its fields";
  }
  if (path[0] === "checks") {
    return "a check has a title and exactly one of resource, file, nodeFile, nodeService, access, apiServer, with match/expect/equals/pattern as that kind allows";
  }
  if (path[0] === "vars") {
    return "a variable reads one of: nodeFile with pattern (and default), nodeFile with certificate or modified, nodeFolder with pattern, nodeService (when it became active), resource with field (and each); or is drawn from one of: oneOf, range, pattern, node";
  }
  if (path[0] === "requires") return "a requirement is a capability name or { workers: N }";
  return "does not match any allowed form";
}
