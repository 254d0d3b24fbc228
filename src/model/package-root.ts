import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Files shipped beside the code (tasks/, scripts/local-cluster/, kind-config.yaml, the
// built CLI) are found from the package root: the nearest folder above this module with a
// package.json. That answer is the same from src/ (tests, tsx), from a bundled chunk in
// dist/ (where modules no longer sit at their source depth) and from an installed package.
function findRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json in any folder above ${here}`);
    dir = up;
  }
  return dir;
}

const root = findRoot();

/** A path inside the kubedrill package, e.g. packagePath("tasks/"). */
export function packagePath(relative: string): string {
  return join(root, relative);
}
