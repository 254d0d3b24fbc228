import { homedir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../../model/package-root.js";

/** scripts/local-cluster in this checkout or package. */
export const localClusterSources = packagePath("scripts/local-cluster/");

/** Built binaries live outside the repo so every checkout on a machine reuses them. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBEDRILL_CACHE_DIR) return env.KUBEDRILL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kubedrill");
}

/** Where a running local cluster keeps its PKI, data, logs and node folders. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBEDRILL_STATE_DIR) return env.KUBEDRILL_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "kubedrill", "local");
}
