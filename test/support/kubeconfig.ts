import { readFile, writeFile } from "node:fs/promises";
import { parse } from "yaml";

interface Named {
  name: string;
  [key: string]: unknown;
}

/**
 * Writes a copy of a kubeconfig whose current context is renamed (and its server
 * optionally replaced): the same real API server under the name kind, minikube or
 * another cluster would give it, so the context-based choices can be tested on it.
 */
export async function kubeconfigAs(
  source: string,
  file: string,
  context: string,
  server?: string,
): Promise<string> {
  const config = parse(await readFile(source, "utf8")) as {
    clusters: (Named & { cluster: { server: string } })[];
    contexts: Named[];
    "current-context": string;
  };
  const current = config.contexts.find((c) => c.name === config["current-context"]);
  if (!current) throw new Error(`${source} has no current context`);
  current.name = context;
  config.contexts = [current];
  config["current-context"] = context;
  if (server) for (const cluster of config.clusters) cluster.cluster.server = server;
  await writeFile(file, JSON.stringify(config));
  return file;
}
