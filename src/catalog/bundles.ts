import { readdirSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { TaskError } from "../errors.js";
import { packagePath } from "../model/package-root.js";
import { readManifestFile } from "./yaml-source.js";

// A bundle is software a task needs but does not teach, shipped with kubedrill: the
// Gateway API's CRDs. A setup step installs it where the cluster lacks it (see
// bundles/<name>/README.md for its source, version and licence).

const bundlesRoot = packagePath("bundles");

/** The bundles kubedrill ships, by folder name. */
export const bundleNames: readonly string[] = readdirSync(bundlesRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Every object of a bundle, from its YAML files in name order. */
export async function bundleObjects(name: string): Promise<Record<string, unknown>[]> {
  const folder = join(bundlesRoot, name);
  const files = (await readdir(folder)).filter((f) => f.endsWith(".yaml")).sort();
  const objects: Record<string, unknown>[] = [];
  for (const file of files) {
    const docs = await readManifestFile(join(folder, file));
    if (!Array.isArray(docs)) throw new TaskError([docs]);
    objects.push(...docs.map((d) => d.object));
  }
  return objects;
}
