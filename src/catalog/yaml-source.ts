import { readFile, stat } from "node:fs/promises";
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  type YAMLError,
} from "yaml";
import type { TaskProblem } from "../errors.js";

/**
 * Reading YAML text without trusting it: size, encoding, alias and nesting limits, and
 * every problem located at a line and column of the node it is about.
 */

export const maxBytes = 1024 * 1024;
// Caps alias expansion so that a "billion laughs" file fails fast instead of eating memory.
export const maxAliasCount = 100;
// Far deeper than any task or manifest needs, and far shallower than what overflows the stack.
export const maxDepth = 64;

// Warnings become problems; yaml must not also print its own on the process's stderr.
// yaml's own uniqueKeys test compares each key with every earlier one (quadratic: a 1 MiB
// mapping took over a minute), so duplicates are found here with one set per mapping.
const parseOptions = { uniqueKeys: false, prettyErrors: false, logLevel: "error" } as const;

export type Path = (string | number)[];

export interface Located {
  file: string;
  doc?: Document;
  lines: LineCounter;
  /** The file's text, to place a problem inside a scalar (a CEL expression's column). */
  text?: string;
}

export interface ManifestDoc {
  object: Record<string, unknown>;
  line: number;
  /** A problem located at a node of this document (or its nearest existing parent). */
  problemAt(path: Path, message: string): TaskProblem;
}

/** A problem at the node a path leads to: the value, or with target "key" the key itself. */
export function at(
  where: Located,
  path: Path,
  message: string,
  target: "value" | "key" = "value",
): TaskProblem {
  const offset = where.doc ? offsetOf(where.doc, path, target) : undefined;
  const { line, column } = position(where.lines, offset ?? 0);
  return { file: where.file, line, column, path: formatPath(path), message };
}

export function formatPath(path: (string | number | symbol)[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

// Walks up until a node exists: a missing key is reported where its parent is.
function offsetOf(doc: Document, path: Path, target: "value" | "key"): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = target === "key" && depth === path.length ? keyNode(doc, path) : valueNode(doc, path, depth);
    if (node?.range) return node.range[0];
  }
  return undefined;
}

function valueNode(doc: Document, path: Path, depth: number): Node | undefined {
  const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
  return isNode(node) ? node : undefined;
}

function keyNode(doc: Document, path: Path): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = valueNode(doc, path, path.length - 1);
  if (!isMap(parent)) return undefined;
  const last = String(path[path.length - 1]);
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  return isNode(pair?.key) ? pair.key : undefined;
}

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return line < 1 ? { line: 1, column: 1 } : { line, column: Math.max(col, 1) };
}

/** Reads a file as UTF-8 text, refusing what is too large, binary or not UTF-8. */
export async function readText(file: string): Promise<string | TaskProblem> {
  const problem = (message: string): TaskProblem => ({ file, line: 1, column: 1, path: "", message });
  const info = await stat(file).catch(() => undefined);
  if (!info) return problem("file not found");
  if (!info.isFile()) return problem("not a regular file");
  if (info.size > maxBytes)
    return problem(`file is ${info.size} bytes; a task file may have at most ${maxBytes}`);
  const bytes = await readFile(file).catch((err: Error) => err);
  if (bytes instanceof Error) return problem(`cannot read the file: ${bytes.message}`);
  if (bytes.includes(0)) return problem("file is binary (contains NUL bytes), not YAML");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return problem("file is not valid UTF-8 text");
  }
}

/** Parses one YAML document into plain data, or says where and why it cannot. */
export function parseYaml(text: string, file: string): { where: Located; data: unknown } | TaskProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, ...parseOptions });
  const where: Located = { file, doc, lines, text };
  const problems = syntaxProblems([...doc.errors, ...doc.warnings], where);
  if (problems.length > 0) return problems;
  const data = toData(doc, where);
  return "problem" in data ? [data.problem] : { where, data: data.value };
}

function toData(doc: Document, where: Located): { value: unknown } | { problem: TaskProblem } {
  const structure = structureProblem(doc.contents);
  if (structure) {
    const { line, column } = position(where.lines, structure.node.range?.[0] ?? 0);
    return { problem: { file: where.file, line, column, path: "", message: structure.message } };
  }
  try {
    return { value: doc.toJS({ maxAliasCount }) };
  } catch (err) {
    const alias = firstAlias(doc.contents);
    const { line, column } = position(where.lines, alias?.range?.[0] ?? 0);
    const message = /alias count/i.test((err as Error).message)
      ? `aliases expand into too many copies (more than ${maxAliasCount}); is this a "billion laughs" file?`
      : (err as Error).message;
    return { problem: { file: where.file, line, column, path: "", message } };
  }
}

function syntaxProblems(errors: YAMLError[], where: Located): TaskProblem[] {
  const seen = new Set<string>();
  const problems: TaskProblem[] = [];
  for (const error of errors) {
    const { line, column } = position(where.lines, error.pos[0]);
    const message = syntaxMessage(error);
    // A stack overflow is reported once per enclosing collection; one report says it all.
    const key = error.code === "RESOURCE_EXHAUSTION" ? message : `${line}:${column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file: where.file, line, column, path: "", message });
  }
  return problems;
}

function syntaxMessage(error: YAMLError): string {
  switch (error.code) {
    case "MULTIPLE_DOCS":
      return "a second YAML document (after ---); a task file holds exactly one";
    case "RESOURCE_EXHAUSTION":
      return `nested too deeply to read; a task file needs at most ${maxDepth} levels`;
    case "TAB_AS_INDENT":
      return "tabs are not allowed as indentation; indent with spaces";
    default:
      return error.message.split("\n")[0] ?? error.message;
  }
}

/**
 * What plain data cannot hold, found without recursion: nesting deeper than maxDepth, a key
 * that is a list or mapping, or a key that appears twice in one mapping.
 */
function structureProblem(root: unknown): { node: Node; message: string } | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, depth] = entry;
    if (!isCollection(node)) continue;
    if (depth > maxDepth) {
      return { node, message: `nested more than ${maxDepth} levels deep; a task file needs far fewer` };
    }
    const keys = new Set<unknown>();
    for (const item of node.items) {
      if (isPair(item) && isCollection(item.key)) {
        return { node: item.key, message: "a key must be a plain name, not a list or mapping" };
      }
      if (isPair(item) && isScalar(item.key)) {
        const key = item.key.value;
        if (keys.has(key)) {
          const message = `duplicate key ${JSON.stringify(String(key))}: a key may appear once per mapping`;
          return { node: item.key, message };
        }
        keys.add(key);
      }
      if (isPair(item)) stack.push([item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function firstAlias(root: unknown): Node | undefined {
  const stack: unknown[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node)) return node;
    if (isPair(node)) stack.push(node.value, node.key);
    // One push per item: spreading a list of many thousand items would overflow the stack.
    else if (isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return undefined;
}

/** Reads a multi-document manifest file, keeping each document's position for errors. */
export async function readManifestFile(file: string): Promise<ManifestDoc[] | TaskProblem> {
  const text = await readText(file);
  if (typeof text !== "string") return text;
  return parseManifests(text, file);
}

export function parseManifests(text: string, file: string): ManifestDoc[] | TaskProblem {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, ...parseOptions });
  const result: ManifestDoc[] = [];
  for (const doc of docs) {
    const where: Located = { file, doc, lines };
    const [error] = syntaxProblems(doc.errors, where);
    if (error) return error;
    if (doc.contents === null) continue;
    const data = toData(doc, where);
    if ("problem" in data) return data.problem;
    const problemAt = (path: Path, message: string) => at(where, path, message);
    const { value } = data;
    // An empty document (`---` twice, or only a comment, as joined `helm template` files give) is
    // skipped, as kubectl skips it.
    if (value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      return problemAt([], "a manifest document must be a mapping");
    }
    const line = position(lines, doc.contents.range[0]).line;
    result.push({ object: value as Record<string, unknown>, line, problemAt });
  }
  return result;
}
