// Builds dist/cli/main.js, what `bin` runs: one ESM bundle of src/ and its dependencies,
// split at each lazily imported command. A cold start then reads a few files instead of
// ~300 modules (zod, CEL and protobuf spread over hundreds), and `--help` still parses
// the entry chunk and small shared ones. tsc stays the typechecker (`npm run typecheck`).
import { rm } from "node:fs/promises";
import { build } from "esbuild";

const dist = new URL("../dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { "cli/main": "src/cli/main.ts" },
  absWorkingDir: new URL("..", import.meta.url).pathname,
  outdir: "dist",
  chunkNames: "cli/chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Loaded only by the commands that talk to a cluster, and kept as its own package so
  // that a cold-start test can see (by its name) that `--help` or `list` never load it.
  external: ["@kubernetes/client-node"],
  // Bundled CommonJS dependencies (commander, yaml, cross-spawn) call require() for
  // Node's built-in modules, which an ES module does not have.
  banner: {
    js: 'import { createRequire as __kdCreateRequire } from "node:module";\nconst require = __kdCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
  metafile: true,
});

// What every command loads before it runs: the entry and the chunks it imports statically.
// The build fails if that grows to include the heavy dependencies the commands load lazily.
const eager = new Set<string>();
const pending = ["dist/cli/main.js"];
for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
  if (eager.has(file)) continue;
  eager.add(file);
  for (const i of metafile.outputs[file]?.imports ?? []) {
    if (i.kind === "import-statement" && !i.external) pending.push(i.path);
  }
}
const heavy = /node_modules\/(zod|@bufbuild|yaml|execa|re2js|@inquirer)\//;
const leaked = [...eager].flatMap((file) =>
  Object.keys(metafile.outputs[file]?.inputs ?? {}).filter((input) => heavy.test(input)),
);
if (leaked.length > 0) {
  throw new Error(`every command would load these at start-up; import them lazily:\n${leaked.join("\n")}`);
}
