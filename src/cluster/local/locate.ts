import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { ClusterError } from "../../errors.js";
import { kubeconfigFiles } from "../kubeconfig-file.js";
import { type LocalPaths, localPaths } from "./components.js";
import { localContext } from "./context.js";
import { stateDir } from "./paths.js";

/** The kubeconfig extension `cluster up` puts on the local cluster's entry. */
export const markerName = "kubedrill.dev/local-cluster";
export { localContext };

/** What the extension records: where the cluster's state lives, and the identity to expect there. */
export interface LocalMarker {
  stateDir: string;
  identity?: string;
  /** The kubeconfig file the marker was read from. */
  file: string;
}

type Kubeconfig = {
  contexts?: { name?: string; context?: { cluster?: string } }[];
  clusters?: { name?: string; cluster?: { extensions?: { name?: string; extension?: unknown }[] } }[];
};

function readKubeconfig(file: string): Kubeconfig | undefined {
  try {
    const parsed = parse(readFileSync(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Kubeconfig) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local-cluster marker of a context, read the way kubectl merges files: the first
 * file that defines the context names its cluster, the first that defines that cluster wins.
 */
export function markerFor(context: string, files = kubeconfigFiles()): LocalMarker | undefined {
  const configs = files.filter(existsSync).map((file) => ({ file, config: readKubeconfig(file) }));
  const contextEntry = configs
    .flatMap(({ config }) => config?.contexts ?? [])
    .find((c) => c?.name === context);
  const clusterName = contextEntry?.context?.cluster;
  if (!clusterName) return undefined;
  for (const { file, config } of configs) {
    const cluster = config?.clusters?.find((c) => c?.name === clusterName);
    if (!cluster) continue;
    const extension = cluster.cluster?.extensions?.find((e) => e?.name === markerName)?.extension as
      | { stateDir?: unknown; identity?: unknown }
      | undefined;
    if (typeof extension?.stateDir !== "string") return undefined;
    const identity = typeof extension.identity === "string" ? extension.identity : undefined;
    return { stateDir: extension.stateDir, identity, file };
  }
  return undefined;
}

/**
 * The local cluster's folders for a context: where its kubeconfig entry says `cluster up`
 * put them, whatever KUBEDRILL_STATE_DIR or XDG_STATE_HOME say now; without the entry,
 * where the environment says. mustExist refuses a recorded folder that is gone.
 */
export function locateLocal(
  options: { context?: string; files?: string[]; mustExist?: boolean; env?: NodeJS.ProcessEnv } = {},
): LocalPaths {
  const context = options.context ?? localContext;
  const marker = markerFor(context, options.files ?? kubeconfigFiles(options.env));
  if (!marker) return localPaths(stateDir(options.env));
  if (options.mustExist && !existsSync(marker.stateDir)) {
    throw new ClusterError(
      `the local cluster's state folder ${marker.stateDir} is missing: context "${context}" in ${marker.file} says \`kubedrill cluster up\` put it there`,
      context,
      "if the folder was deleted, so was the cluster: kubedrill cluster down removes the context, kubedrill cluster up starts a new one",
    );
  }
  return localPaths(marker.stateDir);
}
