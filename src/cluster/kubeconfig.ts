import { readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { dirname, isAbsolute, join } from "node:path";
import type { KubeConfig as FullKubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { type KubeconfigEntries, kubeconfigFiles } from "./kubeconfig-file.js";

// Loading @kubernetes/client-node costs about half a second of every cold command, and
// kubedrill's REST client only needs it for credentials. Certificates, tokens and basic
// auth are read here with the yaml package; only credential plugins (exec, auth-provider),
// proxies and in-cluster service accounts load client-node, on first use.

interface NamedCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
}

interface NamedUser {
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  "auth-provider"?: unknown;
}

interface Entry<T> {
  value: T;
  /** The kubeconfig file it came from: relative file paths in it are relative to that file. */
  file: string;
}

type Section<T> = Map<string, Entry<T>>;

/** What client-node's KubeConfig offers that kubedrill uses, with the same method names. */
export class KubeConfig {
  private readonly clusters: Section<NamedCluster> = new Map();
  private readonly users: Section<NamedUser> = new Map();
  private readonly contexts: Section<{ cluster?: string; user?: string }> = new Map();
  private currentContext = "";
  /** The one file loaded with loadFromFile; else the default files were merged. */
  private explicitFile?: string;
  private delegate?: Promise<(options: RequestOptions) => Promise<void>>;
  /** Called with client-node's KubeConfig once it is created, before it runs any plugin. */
  onClientNode?: (full: FullKubeConfig) => void;

  loadFromFile(file: string): void {
    this.explicitFile = file;
    this.merge(file);
  }

  /** $KUBECONFIG's files merged as kubectl merges them (the first file naming a thing wins). */
  loadFromDefault(): void {
    const files = kubeconfigFiles();
    const existing = files.filter((file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    });
    if (existing.length === 0 && process.env.KUBERNETES_SERVICE_HOST) {
      this.currentContext = inCluster;
      return;
    }
    for (const file of existing) this.merge(file);
  }

  getContextObject(name: string): { name: string } | undefined {
    return this.contexts.has(name) ? { name } : undefined;
  }

  setCurrentContext(name: string): void {
    this.currentContext = name;
  }

  getCurrentContext(): string {
    return this.currentContext;
  }

  /** The names of every context, cluster and user, to say what a broken kubeconfig lacks. */
  entries(): KubeconfigEntries {
    return {
      currentContext: this.currentContext,
      contexts: [...this.contexts].map(([name, { value }]) => ({
        name,
        cluster: value.cluster ?? "",
        user: value.user,
      })),
      clusters: [...this.clusters.keys()].map((name) => ({ name })),
      users: [...this.users.keys()].map((name) => ({ name })),
    };
  }

  getCurrentCluster(): { name: string; server: string } | undefined {
    if (this.currentContext === inCluster) {
      const host = process.env.KUBERNETES_SERVICE_HOST ?? "";
      const server = `https://${host.includes(":") ? `[${host}]` : host}:${process.env.KUBERNETES_SERVICE_PORT ?? 443}`;
      return { name: inCluster, server };
    }
    const name = this.contexts.get(this.currentContext)?.value.cluster;
    const cluster = name === undefined ? undefined : this.clusters.get(name)?.value;
    return cluster?.server && name ? { name, server: cluster.server } : undefined;
  }

  /** Sets TLS material and the Authorization header on options for the current context. */
  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const context = this.contexts.get(this.currentContext)?.value;
    const cluster = context?.cluster === undefined ? undefined : this.clusters.get(context.cluster);
    const user = context?.user === undefined ? undefined : this.users.get(context.user);
    if (!cluster || this.needsClientNode(cluster.value, user?.value)) {
      this.delegate ??= this.clientNode();
      return (await this.delegate)(options);
    }
    const c = cluster.value;
    const u = user?.value ?? {};
    const headers = (options.headers ?? {}) as Record<string, string>;
    options.headers = headers;
    options.ca = material(c["certificate-authority-data"], c["certificate-authority"], cluster.file);
    if (c["insecure-skip-tls-verify"]) options.rejectUnauthorized = false;
    if (c["tls-server-name"]) options.servername = c["tls-server-name"];
    const file = user?.file ?? cluster.file;
    options.cert = material(u["client-certificate-data"], u["client-certificate"], file);
    options.key = material(u["client-key-data"], u["client-key"], file);
    const token = u.token ?? (u.tokenFile ? readFileSync(resolved(u.tokenFile, file), "utf8").trim() : "");
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (u.username && u.password) {
      headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString("base64")}`;
    }
  }

  private needsClientNode(cluster: NamedCluster, user: NamedUser | undefined): boolean {
    return Boolean(cluster["proxy-url"] || user?.exec || user?.["auth-provider"]);
  }

  /** client-node's own loading of the same files, for what this class does not handle. */
  private async clientNode(): Promise<(options: RequestOptions) => Promise<void>> {
    const { KubeConfig: Full } = await import("@kubernetes/client-node");
    const full = new Full();
    if (this.currentContext === inCluster) full.loadFromCluster();
    else if (this.explicitFile) full.loadFromFile(this.explicitFile);
    else full.loadFromDefault();
    if (this.currentContext !== inCluster) full.setCurrentContext(this.currentContext);
    this.onClientNode?.(full);
    return (options) => full.applyToHTTPSOptions(options);
  }

  private merge(file: string): void {
    const text = readFileSync(file, "utf8");
    const doc: unknown = parse(text);
    if (doc === null || doc === undefined) return;
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${file} is not a kubeconfig`);
    const config = doc as Record<string, unknown>;
    collect(config.clusters, "cluster", file, this.clusters);
    collect(config.users, "user", file, this.users);
    collect(config.contexts, "context", file, this.contexts);
    const current = config["current-context"];
    if (!this.currentContext && typeof current === "string") this.currentContext = current;
  }
}

/** The name client-node gives the context of a pod's service account. */
const inCluster = "inClusterContext";

function collect<T>(list: unknown, key: string, file: string, into: Section<T>): void {
  if (list === null || list === undefined) return;
  if (!Array.isArray(list)) throw new Error(`${file}: ${key}s is not a list`);
  for (const [i, item] of list.entries()) {
    const { name, [key]: value } = (item ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || !name) throw new Error(`${file}: ${key}s[${i}].name is missing`);
    if (!into.has(name)) into.set(name, { value: (value ?? {}) as T, file });
  }
}

function resolved(path: string, file: string): string {
  return isAbsolute(path) ? path : join(dirname(file), path);
}

function material(data: string | undefined, path: string | undefined, file: string): Buffer | undefined {
  if (data) return Buffer.from(data, "base64");
  return path ? readFileSync(resolved(path, file)) : undefined;
}
