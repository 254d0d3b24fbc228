import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The dependency rule (docs/architecture.md): cli → session → report → engine → cluster → model,
 * with catalog beside engine (engine may read the catalog, the catalog only the model).
 * errors.ts sits with the model: every layer may throw its typed errors.
 */
const src = fileURLToPath(new URL("../../src/", import.meta.url));
const rank: Record<string, number> = {
  cli: 5,
  session: 4,
  report: 3,
  engine: 2,
  catalog: 2,
  cluster: 1,
  model: 0,
  "errors.ts": 0,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports of a file (static, re-exports and dynamic), resolved to src/ paths. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)];
  return specifiers.map((m) => resolve(dirname(file), (m[1] as string).replace(/\.js$/, ".ts")));
}

/** The same, without `import type` lines: what is loaded at run time, where a cycle would bite. */
const valueImportsOf = (file: string, text: string) =>
  importsOf(file, text.replace(/^import type [^;]*;/gm, ""));

const layerOf = (file: string) => relative(src, file).split("/")[0] as string;

const allowed = (from: string, to: string) =>
  from === to || (from === "engine" && to === "catalog") || (rank[to] as number) < (rank[from] as number);

const graph = new Map(sourceFiles(src).map((file) => [file, importsOf(file, readFileSync(file, "utf8"))]));
const runtimeGraph = new Map(
  sourceFiles(src).map((file) => [file, valueImportsOf(file, readFileSync(file, "utf8"))]),
);

/** Every import cycle among files at run time (type-only imports vanish), as lists of src-relative paths. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of runtimeGraph.get(file) ?? []) {
      if (state.get(next) === "open")
        found.push(stack.slice(stack.indexOf(next)).map((f) => relative(src, f)));
      else if (!state.has(next) && runtimeGraph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of runtimeGraph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("layers", () => {
  it("every folder of src/ has a place in the dependency rule", () => {
    const unknown = [...graph.keys()].map(layerOf).filter((layer) => !(layer in rank));
    expect(unknown).toEqual([]);
  });

  it("no import goes against cli → session → report → engine (catalog beside it) → cluster → model", () => {
    const against = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => !allowed(layerOf(file), layerOf(target)))
        .map((target) => `${relative(src, file)} imports ${relative(src, target)}`),
    );
    expect(against).toEqual([]);
  });

  it("no file of src/ is part of an import cycle", () => {
    expect(cycles()).toEqual([]);
  });

  // The CLI may name its own built entry point (verify runs solutions that call `kubedrill`);
  // nothing below it knows where or whether the code is built.
  it("nothing in src/ below the CLI reaches into the build output", () => {
    const reaching = [...graph.keys()]
      .filter((file) => layerOf(file) !== "cli")
      .filter((file) => /["'/]dist\//.test(readFileSync(file, "utf8")));
    expect(reaching.map((f) => relative(src, f))).toEqual([]);
  });

  it("the rule's reader sees every form of import, so the checks above can fail", () => {
    const file = join(src, "model", "x.ts");
    const text = `import a from "../engine/a.js";\nexport { b } from "./b.js";\nconst c = await import("../cli/c.js");`;
    expect(importsOf(file, text).map((f) => relative(src, f))).toEqual([
      "engine/a.ts",
      "model/b.ts",
      "cli/c.ts",
    ]);
    expect(allowed("model", "engine")).toBe(false);
    expect(allowed("catalog", "engine")).toBe(false);
    expect(allowed("engine", "catalog")).toBe(true);
    expect(valueImportsOf(file, 'import type { A } from "./a.js";\nimport { b } from "./b.js";')).toEqual([
      join(src, "model", "b.ts"),
    ]);
  });
});
