import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { parseDocument, type YAMLSeq } from "yaml";

/** Every file kubectl reads: the entries of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
  return listed.length > 0 ? listed : [join(homedir(), ".kube", "config")];
}

/** The file kubectl writes to: the first entry of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(delimiter).find(Boolean);
  return first ?? join(homedir(), ".kube", "config");
}

export interface ContextEntry {
  name: string;
  server: string;
  certificateAuthorityData: string;
  clientCertificateData: string;
  clientKeyData: string;
  /** A kubeconfig extension on the cluster entry, as minikube records its own (name → any object). */
  extension?: { name: string; value: Record<string, string> };
}

const sections = ["clusters", "users", "contexts"] as const;

async function load(file: string) {
  const text = existsSync(file) ? await readFile(file, "utf8") : "";
  const doc = parseDocument(text || "apiVersion: v1\nkind: Config\npreferences: {}\n");
  for (const section of sections) {
    if (!doc.has(section) || doc.get(section) === null) doc.set(section, doc.createNode([]));
  }
  return doc;
}

function without(doc: ReturnType<typeof parseDocument>, section: string, name: string) {
  const seq = doc.get(section) as YAMLSeq;
  seq.items = seq.items.filter((item) => (item as { get?: (k: string) => unknown }).get?.("name") !== name);
  return seq;
}

/**
 * Adds (or replaces) a cluster, user and context of one name and makes it current,
 * leaving every other entry and comment as it was, the way kind does.
 */
export async function mergeContext(file: string, entry: ContextEntry): Promise<void> {
  const doc = await load(file);
  const { name } = entry;
  without(doc, "clusters", name).add(
    doc.createNode({
      name,
      cluster: {
        server: entry.server,
        "certificate-authority-data": entry.certificateAuthorityData,
        ...(entry.extension && {
          extensions: [{ name: entry.extension.name, extension: entry.extension.value }],
        }),
      },
    }),
  );
  without(doc, "users", name).add(
    doc.createNode({
      name,
      user: {
        "client-certificate-data": entry.clientCertificateData,
        "client-key-data": entry.clientKeyData,
      },
    }),
  );
  without(doc, "contexts", name).add(doc.createNode({ name, context: { cluster: name, user: name } }));
  doc.set("current-context", name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, doc.toString(), { mode: 0o600 });
}

/** Removes the cluster, user and context of one name; clears current-context if it was that one. */
export async function removeContext(file: string, name: string): Promise<void> {
  if (!existsSync(file)) return;
  const doc = await load(file);
  for (const section of sections) without(doc, section, name);
  if (doc.get("current-context") === name) doc.set("current-context", "");
  await writeFile(file, doc.toString(), { mode: 0o600 });
}

/** The parts of a loaded kubeconfig that must agree. */
export interface KubeconfigEntries {
  currentContext: string;
  contexts: { name: string; cluster: string; user?: string }[];
  clusters: { name: string }[];
  users: { name: string }[];
}

/**
 * What is missing in a loaded kubeconfig for its current context to be used, said with the
 * names involved; undefined when the context, its cluster and its user are all there.
 */
export function kubeconfigProblem(
  config: KubeconfigEntries,
  files: string[],
): { message: string; hint: string } | undefined {
  const where = files.join(", ");
  const names = (list: { name: string }[]) => list.map((e) => `"${e.name}"`).join(", ") || "none";
  if (config.contexts.length === 0) {
    return {
      message: `the kubeconfig ${where} has no context (contexts: none)`,
      hint: "create a practice cluster, which adds one: kubedrill cluster up",
    };
  }
  if (!config.currentContext) {
    return {
      message: `the kubeconfig ${where} sets no current-context (contexts: ${names(config.contexts)})`,
      hint: `pick one: kubectl config use-context ${config.contexts[0]?.name}, or pass --context`,
    };
  }
  const context = config.contexts.find((c) => c.name === config.currentContext);
  if (!context) {
    return {
      message: `current-context "${config.currentContext}" is not a context in ${where} (contexts: ${names(config.contexts)})`,
      hint: `pick one: kubectl config use-context ${config.contexts[0]?.name}`,
    };
  }
  if (!config.clusters.some((c) => c.name === context.cluster)) {
    return {
      message: `context "${context.name}" names cluster "${context.cluster}", which is not in ${where} (clusters: ${names(config.clusters)})`,
      hint: `fix the context: kubectl config set-context ${context.name} --cluster=<one of the clusters>`,
    };
  }
  if (context.user && !config.users.some((u) => u.name === context.user)) {
    return {
      message: `context "${context.name}" names user "${context.user}", which is not in ${where} (users: ${names(config.users)})`,
      hint: `fix the context: kubectl config set-context ${context.name} --user=<one of the users>`,
    };
  }
  return undefined;
}
