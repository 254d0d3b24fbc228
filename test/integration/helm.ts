import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { cacheDir } from "../../src/cluster/local/paths.js";

/**
 * The Helm the proofs of the Helm tasks run (docs/adr/0005-helm.md): learners
 * install helm themselves, as they do kubectl, but a fresh machine runs only `npm install` and
 * `npm test`. So the tests build this pinned Helm 3 from its Go module, once per machine, into
 * the cache beside the local cluster's binary, and put its folder first on PATH.
 */
export const helmVersion = "v3.22.0";

/** The folder that holds the pinned `helm`, whether or not it is built yet. */
export const helmBinDir = join(cacheDir(), "helm", helmVersion);

const ldflags = `-s -w -X helm.sh/helm/v3/internal/version.version=${helmVersion}`;

/** Builds the pinned helm unless it is in the cache already; returns its folder. */
export async function ensureHelm(log: (message: string) => void): Promise<string> {
  const helm = join(helmBinDir, "helm");
  if (existsSync(helm)) return helmBinDir;
  const partial = `${helmBinDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  log(`building helm ${helmVersion} from its Go module (once per machine; a minute or a few)`);
  const started = Date.now();
  const build = await execa(
    "go",
    ["install", `-ldflags=${ldflags}`, `helm.sh/helm/v3/cmd/helm@${helmVersion}`],
    // Outside any module: go install pkg@version resolves helm's own go.mod, nothing of ours.
    { cwd: partial, env: { GOBIN: partial, GOFLAGS: "-mod=mod" }, reject: false, all: true },
  );
  if (build.exitCode !== 0) {
    throw new Error(
      `building helm ${helmVersion} failed (go install exited ${build.exitCode}):\n${build.all}`,
    );
  }
  await rm(helmBinDir, { recursive: true, force: true });
  await rename(partial, helmBinDir);
  log(`built ${helm} in ${Math.round((Date.now() - started) / 1000)}s`);
  return helmBinDir;
}
