import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTasks, findTaskFiles } from "../../src/catalog/catalog.js";
import { loadTask } from "../../src/catalog/load.js";
import { expressionChecker } from "../../src/engine/cel.js";

// Deterministic fuzzing of the loader: mutants of the real task files must never make it
// throw or hang, and every problem must say where (file, line ≥ 1, column ≥ 1) and what.
const seed = 20240611;
// About 3000 mutants in all, however many tasks the catalog holds (nine when this was written).
const mutantCount = 3000;

/** mulberry32: a tiny seeded PRNG, so a failure reproduces with the same seed. */
function prng(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = ReturnType<typeof prng>;
const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;

const fragments = [
  "\t",
  ":",
  ": ",
  "[",
  "]",
  "{",
  "}",
  "*a",
  "&a ",
  "*x ",
  "- ",
  "? ",
  "---\n",
  "#",
  '"',
  "'",
  ",",
  "|",
  ">",
  "!!str ",
  "<<: ",
  "%YAML 1.2\n",
  "\n",
  "  ",
  "\u00e9",
  "\u{1f600}",
];

function insertAt(text: string, offset: number, piece: string): string {
  return text.slice(0, offset) + piece + text.slice(offset);
}

function randomBytes(random: Random): string {
  return Array.from({ length: 1 + int(random, 8) }, () => String.fromCharCode(1 + int(random, 126))).join("");
}

/** One mutation of a YAML text: line edits, inserted syntax, truncation, indentation, scalars made lists. */
const mutations: ((text: string, random: Random) => string)[] = [
  (text, random) => {
    const lines = text.split("\n");
    lines.splice(int(random, lines.length), 1);
    return lines.join("\n");
  },
  (text, random) => {
    const lines = text.split("\n");
    const i = int(random, lines.length);
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  },
  (text, random) => {
    const lines = text.split("\n");
    const [i, j] = [int(random, lines.length), int(random, lines.length)];
    [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
    return lines.join("\n");
  },
  (text, random) => insertAt(text, int(random, text.length + 1), pick(random, fragments)),
  (text, random) => insertAt(text, int(random, text.length + 1), randomBytes(random)),
  (text, random) => text.slice(0, int(random, text.length)),
  (text, random) => {
    const lines = text.split("\n");
    const i = int(random, lines.length);
    const line = lines[i] ?? "";
    lines[i] = random() < 0.5 ? " ".repeat(1 + int(random, 4)) + line : line.replace(/^ {1,3}/, "");
    return lines.join("\n");
  },
  (text, random) => {
    const lines = text.split("\n");
    const scalars = lines.flatMap((line, i) => (/^\s*[-\w]+: [^[{|>\s]/.test(line) ? [i] : []));
    if (scalars.length === 0) return text;
    const i = pick(random, scalars);
    lines[i] = (lines[i] ?? "").replace(/: (.*)$/, random() < 0.5 ? ": [$1, $1]" : ":\n  - $1\n  - x");
    return lines.join("\n");
  },
];

function mutate(text: string, random: Random): string {
  let result = text;
  for (let n = 1 + int(random, 3); n > 0; n--) result = pick(random, mutations)(result, random);
  return result;
}

interface Original {
  id: string;
  task: string;
  /** Manifest files beside task.yaml, applied by setup. */
  beside: Record<string, string>;
}

function originals(files: string[]): Original[] {
  return files.map((file) => {
    const dir = dirname(file);
    const beside = readdirSync(dir).filter((name) => name !== "task.yaml" && name.endsWith(".yaml"));
    return {
      id: basename(dir),
      task: readFileSync(file, "utf8"),
      beside: Object.fromEntries(beside.map((name) => [name, readFileSync(join(dir, name), "utf8")])),
    };
  });
}

describe("loader › fuzzing with mutants of the real tasks", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kubedrill-fuzz-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("never throws and locates every problem", { timeout: 60_000 }, async () => {
    const tasks = originals(await findTaskFiles([builtinTasks]));
    expect(tasks.length).toBeGreaterThan(0);
    const mutantsPerTask = Math.ceil(mutantCount / tasks.length);
    const random = prng(seed);
    const outcomes = { ok: 0, problems: 0 };
    for (const original of tasks) {
      const dir = join(root, original.id);
      await mkdir(dir, { recursive: true });
      for (let n = 0; n < mutantsPerTask; n++) {
        // Now and then the manifest file is the one mutated, so its parser is fuzzed too.
        const manifests = Object.keys(original.beside);
        const target = manifests.length > 0 && n % 4 === 3 ? pick(random, manifests) : "task.yaml";
        const written: Record<string, string> = { "task.yaml": original.task, ...original.beside };
        written[target] = mutate(written[target] ?? "", random);
        for (const [name, text] of Object.entries(written)) await writeFile(join(dir, name), text);

        const context = `seed ${seed}, ${original.id} mutant ${n} (${target}):\n${written[target]}`;
        const result = await loadTask(join(dir, "task.yaml"), expressionChecker).catch((err: Error) => {
          throw new Error(`loadTask threw on ${context}\n${err.stack}`);
        });
        if (result.ok) {
          outcomes.ok++;
          continue;
        }
        outcomes.problems++;
        expect(result.problems.length, context).toBeGreaterThan(0);
        for (const p of result.problems) {
          const lines = (written[basename(p.file)] ?? "").split("\n").length;
          const where = `${JSON.stringify(p)} for ${context}`;
          expect(p.file.startsWith(dir), where).toBe(true);
          expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines, where).toBe(true);
          expect(Number.isInteger(p.column) && p.column >= 1, where).toBe(true);
          expect(p.message.trim().length, where).toBeGreaterThan(0);
        }
      }
    }
    // Both outcomes occur: the mutations break files, but not always.
    expect(outcomes.problems + outcomes.ok).toBe(tasks.length * mutantsPerTask);
    expect(outcomes.problems).toBeGreaterThan(outcomes.ok);
    expect(outcomes.ok).toBeGreaterThan(0);
  });
});
