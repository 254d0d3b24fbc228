import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ContextEntry, mergeContext } from "../kubeconfig-file.js";
import type { LocalPaths, Ports } from "./components.js";
import { localContext, markerName } from "./locate.js";
import type { State } from "./state.js";

export const server = (ports: Ports) => `https://127.0.0.1:${ports.apiserver}`;

async function contextEntry(paths: LocalPaths, port: number): Promise<ContextEntry> {
  const data = async (f: string) => (await readFile(join(paths.pki, f))).toString("base64");
  return {
    name: localContext,
    server: `https://127.0.0.1:${port}`,
    certificateAuthorityData: await data("ca.crt"),
    clientCertificateData: await data("admin.crt"),
    clientKeyData: await data("admin.key"),
  };
}

/** The kubeconfig the components use (kubeadm's admin.conf, here admin.kubeconfig in the state folder). */
export async function internalKubeconfig(paths: LocalPaths, port: number): Promise<string> {
  // Loaded here only: every command that merely names the local context would otherwise pay for it.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  const entry = await contextEntry(paths, port);
  config.loadFromOptions({
    clusters: [{ name: localContext, server: entry.server, caData: entry.certificateAuthorityData }],
    users: [{ name: localContext, certData: entry.clientCertificateData, keyData: entry.clientKeyData }],
    contexts: [{ name: localContext, cluster: localContext, user: localContext }],
    currentContext: localContext,
  });
  return config.exportConfig();
}

/**
 * Adds the kubedrill-local context to the user's kubeconfig, with an extension that
 * records where the cluster's state lives and its identity, so that node access,
 * `cluster down` and the practice-cluster test find it whatever the environment says.
 */
export async function mergeLocalContext(file: string, paths: LocalPaths, state: State): Promise<void> {
  const value: Record<string, string> = { stateDir: paths.root };
  if (state.identity) value.identity = state.identity;
  const entry = await contextEntry(paths, state.ports.apiserver);
  await mergeContext(file, { ...entry, extension: { name: markerName, value } });
}
