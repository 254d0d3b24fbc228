import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Document, isMap, LineCounter, parseAllDocuments, parseDocument } from "yaml";
import type { z } from "zod";
import { compileCel } from "../engine/cel.js";
import type { TaskProblem } from "../errors.js";
import { type Task, taskSchema } from "./schema.js";

/** A task as loaded: the validated data plus where it came from. */
export interface LoadedTask {
  task: Task;
  dir: string;
  file: string;
}

export type LoadResult = { ok: true; loaded: LoadedTask } | { ok: false; problems: TaskProblem[] };

const maxBytes = 1024 * 1024;
// Caps alias expansion so that a "billion laughs" file fails fast instead of eating memory.
const maxAliasCount = 100;

interface Located {
  file: string;
  doc?: Document;
  lines: LineCounter;
}

function at(where: Located, path: (string | number)[], message: string): TaskProblem {
  let line = 1;
  let column = 1;
  // Walk up until a node exists: a missing key is reported where its parent is.
  for (let depth = path.length; depth >= 0 && where.doc; depth--) {
    const node = where.doc.getIn(path.slice(0, depth), true) as
      | { range?: [number, number, number] }
      | undefined;
    const offset = node?.range?.[0] ?? (depth === 0 ? where.doc.contents?.range?.[0] : undefined);
    if (offset !== undefined) {
      ({ line, col: column } = where.lines.linePos(offset));
      break;
    }
  }
  return { file: where.file, line, column, path: formatPath(path), message };
}

export function formatPath(path: (string | number | symbol)[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

/** Reads a file as UTF-8 text, refusing what is too large, binary or not UTF-8. */
async function readText(file: string): Promise<string | TaskProblem> {
  const problem = (message: string): TaskProblem => ({ file, line: 1, column: 1, path: "", message });
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return problem("file not found");
  if (info.size > maxBytes)
    return problem(`file is ${info.size} bytes; a task file may have at most ${maxBytes}`);
  const bytes = await readFile(file);
  if (bytes.includes(0)) return problem("file is binary (contains NUL bytes), not YAML");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return problem("file is not valid UTF-8 text");
  }
}

export async function loadTask(file: string): Promise<LoadResult> {
  const text = await readText(file);
  if (typeof text !== "string") return { ok: false, problems: [text] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const where: Located = { file, doc, lines };
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    return {
      file,
      line: pos.line,
      column: pos.col,
      path: "",
      message: e.message.split("\n")[0] ?? e.message,
    };
  });
  if (yamlProblems.length > 0) return { ok: false, problems: yamlProblems };
  if (!isMap(doc.contents)) {
    return {
      ok: false,
      problems: [at(where, [], "a task file must be a mapping (id: …, title: …), not a list or scalar")],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (err) {
    return { ok: false, problems: [at(where, [], (err as Error).message)] };
  }
  const parsed = taskSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => zodProblem(where, issue)) };
  }
  const loaded = { task: parsed.data, dir: dirname(file), file };
  const problems = await semanticProblems(loaded, where);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, loaded };
}

function zodProblem(where: Located, issue: z.core.$ZodIssue): TaskProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return at(where, [...path, issue.keys[0] ?? ""], `unknown field "${issue.keys.join('", "')}"`);
  }
  if (issue.code === "invalid_union") {
    return at(where, path, unionMessage(path));
  }
  return at(where, path, issue.message);
}

function unionMessage(path: (string | number)[]): string {
  if (path[0] === "setup") {
    return "a setup step has exactly one of apply, delete, labelNode, writeNodeFile, removeNodeFile, wait, with its fields";
  }
  if (path[0] === "checks") {
    return "a check has a title and exactly one of resource, file, nodeFile, with match/expect/equals/pattern as that kind allows";
  }
  return "does not match any allowed form";
}

/** What the schema cannot say: CEL that does not compile, manifests that do not parse, names. */
async function semanticProblems(loaded: LoadedTask, where: Located): Promise<TaskProblem[]> {
  const { task, dir } = loaded;
  const problems: TaskProblem[] = [];
  if (basename(dir) !== task.id) {
    problems.push(at(where, ["id"], `id "${task.id}" differs from its folder name "${basename(dir)}"`));
  }
  const cel = (expr: string | undefined, path: (string | number)[]) => {
    if (expr === undefined) return;
    const compiled = compileCel(expr);
    if (!compiled.ok) problems.push(at(where, path, `CEL does not compile: ${compiled.message}`));
  };
  const regex = (pattern: string | undefined, path: (string | number)[]) => {
    if (pattern === undefined) return;
    try {
      new RegExp(pattern);
    } catch (err) {
      problems.push(at(where, path, `invalid regular expression: ${(err as Error).message}`));
    }
  };
  task.checks.forEach((check, i) => {
    cel(check.expect, ["checks", i, "expect"]);
    if ("pattern" in check) regex(check.pattern, ["checks", i, "pattern"]);
    if ("resource" in check && !check.resource.name && !check.resource.selector) {
      problems.push(at(where, ["checks", i, "resource"], "a resource check needs a name or a selector"));
    }
    if ("nodeFile" in check && (check.match || check.expect)) {
      problems.push(
        at(where, ["checks", i], "a nodeFile check takes equals or pattern, not match or expect"),
      );
    }
  });
  for (const [key, variable] of Object.entries(task.vars ?? {})) {
    if ("pattern" in variable) regex(variable.pattern, ["vars", key, "pattern"]);
  }
  for (const [i, step] of task.setup.entries()) {
    if ("wait" in step) cel(step.wait.expect, ["setup", i, "wait", "expect"]);
    if ("apply" in step)
      problems.push(...(await manifestProblems(step.apply, dir, where, ["setup", i, "apply"])));
  }
  return problems;
}

async function manifestProblems(
  source: { file?: string; manifest?: unknown },
  dir: string,
  where: Located,
  path: (string | number)[],
): Promise<TaskProblem[]> {
  if (!source.file === !source.manifest)
    return [at(where, path, "apply needs exactly one of file or manifest")];
  if (source.manifest) {
    const objects = Array.isArray(source.manifest) ? source.manifest : [source.manifest];
    return objects.flatMap((o, i) => objectProblems(o, at(where, [...path, "manifest", i], "")));
  }
  const file = join(dir, source.file as string);
  if (!existsSync(file))
    return [at(where, [...path, "file"], `file ${source.file} does not exist beside task.yaml`)];
  const docs = await readManifestFile(file);
  if (!Array.isArray(docs)) return [docs];
  return docs.flatMap(({ object, line }) =>
    objectProblems(object, { file, line, column: 1, path: "", message: "" }),
  );
}

function objectProblems(object: unknown, where: TaskProblem): TaskProblem[] {
  const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
  const missing = ["apiVersion", "kind"].filter((k) => typeof o?.[k as "kind"] !== "string");
  if (typeof o?.metadata?.name !== "string") missing.push("metadata.name");
  return missing.length ? [{ ...where, message: `manifest lacks ${missing.join(", ")}` }] : [];
}

/** Parses a multi-document manifest file, keeping each document's line for errors. */
export async function readManifestFile(
  file: string,
): Promise<{ object: Record<string, unknown>; line: number }[] | TaskProblem> {
  const text = await readText(file);
  if (typeof text !== "string") return text;
  return parseManifests(text, file);
}

export function parseManifests(
  text: string,
  file: string,
): { object: Record<string, unknown>; line: number }[] | TaskProblem {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  if (!Array.isArray(docs)) return { file, line: 1, column: 1, path: "", message: "not a YAML manifest" };
  const result: { object: Record<string, unknown>; line: number }[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
      return { file, line: pos.line, column: pos.col, path: "", message: error.message.split("\n")[0] ?? "" };
    }
    if (doc.contents === null) continue;
    const line = lines.linePos(doc.contents.range[0]).line;
    const object = doc.toJS({ maxAliasCount });
    if (typeof object !== "object" || object === null || Array.isArray(object)) {
      return { file, line, column: 1, path: "", message: "a manifest document must be a mapping" };
    }
    result.push({ object, line });
  }
  return result;
}
