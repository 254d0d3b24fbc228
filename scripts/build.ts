// Builds dist/cli/main.js, what `bin` runs: one ESM bundle of src/ and its dependencies,
// split at each lazily imported command. A cold start then reads a few files instead of
// ~300 modules (zod, CEL and protobuf spread over hundreds), and `--help` still parses
// only the entry chunk. tsc stays the typechecker (`npm run typecheck`).
import { rm } from "node:fs/promises";
import { build } from "esbuild";

const dist = new URL("../dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await build({
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
});
