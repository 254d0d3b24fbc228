import { existsSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { request } from "node:https";
import { ClusterError } from "../errors.js";
import { KubeConfig } from "./kubeconfig.js";
import { kubeconfigFiles } from "./kubeconfig-file.js";
import { deleteCollection, type ServedKind, servedKinds } from "./served-kinds.js";

/** A Kubernetes object as the API returns it: plain JSON, nothing converted. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export interface ResourceInfo {
  path: string; // e.g. /api/v1 or /apis/apps/v1
  plural: string;
  namespaced: boolean;
}

/** An API answer other than 2xx, with the Status message the server gave. */
export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** One SubjectAccessReview question: may this user (in these groups) do this verb? */
export interface AccessRequest {
  user?: string;
  groups: string[];
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The API server's answer: its authorizers' decision and, where they give one, the reason. */
export interface AccessAnswer {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface ApiOptions {
  kubeconfig?: string;
  context?: string;
}

/**
 * A small REST client over the kubeconfig's credentials. client-node's typed
 * models turn timestamps into Date objects and drop unknown fields; checks need
 * the objects exactly as kubectl sees them, so this reads raw JSON.
 */
export class KubeApi {
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(readonly config: KubeConfig) {}

  static load(options: ApiOptions = {}): KubeApi {
    const config = new KubeConfig();
    // Without any kubeconfig, client-node falls back to http://localhost:8080, which only confuses.
    const files = options.kubeconfig ? [options.kubeconfig] : kubeconfigFiles();
    if (!process.env.KUBERNETES_SERVICE_HOST && !files.some((file) => existsSync(file))) {
      throw new ClusterError(
        `no kubeconfig found (looked for ${files.join(", ")})`,
        options.context,
        "create a practice cluster, which writes one: kubedrill cluster up",
      );
    }
    try {
      if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
      else config.loadFromDefault();
    } catch (err) {
      // A KUBECONFIG naming a missing file, or a file that is not a kubeconfig.
      throw new ClusterError(
        `cannot load the kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? "~/.kube/config"}: ${(err as Error).message}`,
        options.context,
        "check the file, or create a practice cluster (which writes it): kubedrill cluster up",
      );
    }
    if (options.context) {
      if (!config.getContextObject(options.context)) {
        throw new ClusterError(
          `context "${options.context}" is not in the kubeconfig`,
          options.context,
          "list the contexts with: kubectl config get-contexts",
        );
      }
      config.setCurrentContext(options.context);
    }
    if (!config.getCurrentCluster()) {
      throw new ClusterError(
        "no current Kubernetes context: the kubeconfig names no cluster",
        undefined,
        "start a practice cluster with: kubedrill cluster up",
      );
    }
    return new KubeApi(config);
  }

  get contextName(): string {
    return this.config.getCurrentContext();
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? "";
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    accept = "application/json",
  ): Promise<T> {
    const url = new URL(path, this.server);
    const options: RequestOptions = { method, headers: { Accept: accept } };
    await this.config.applyToHTTPSOptions(options).catch((err: Error) => {
      throw new ClusterError(
        `cannot use the credentials of context "${this.contextName}": ${err.message}`,
        this.contextName,
        "check the context with: kubectl config view --minify",
      );
    });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Content-Length always: Node sends a DELETE body unframed otherwise, which a kept-alive connection misreads.
    if (payload) {
      Object.assign(options.headers as object, {
        "Content-Type": contentType,
        "Content-Length": Buffer.byteLength(payload),
      });
    }
    return new Promise<T>((resolve, reject) => {
      const req = request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve((text ? JSON.parse(text) : undefined) as T);
            return;
          }
          reject(statusError(status, text));
        });
      });
      req.on("error", (err) => reject(this.unreachable(err)));
      req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30s")));
      if (payload) req.write(payload);
      req.end();
    });
  }

  private unreachable(err: Error): ClusterError {
    const cause = (err as NodeJS.ErrnoException).code ?? err.message;
    return new ClusterError(
      `cannot reach cluster "${this.contextName}" at ${this.server} (${cause})`,
      this.contextName,
      "is it running? try: kubedrill cluster status, or kubedrill cluster up",
    );
  }

  /** Finds the REST path of a kind, from API discovery, cached per group version. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let group = this.discovery.get(apiVersion);
    if (!group) {
      group = this.discover(apiVersion);
      this.discovery.set(apiVersion, group);
      group.catch(() => this.discovery.delete(apiVersion));
    }
    const info = (await group).get(kind);
    if (!info) throw new ApiStatusError(404, "NotFound", `the server has no kind ${kind} in ${apiVersion}`);
    return info;
  }

  private async discover(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
      "GET",
      path,
    );
    const kinds = new Map<string, ResourceInfo>();
    for (const r of list.resources) {
      if (!r.name.includes("/")) kinds.set(r.kind, { path, plural: r.name, namespaced: r.namespaced });
    }
    return kinds;
  }

  async url(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const ns = info.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? "default")}` : "";
    const tail = name ? `/${encodeURIComponent(name)}` : "";
    return `${info.path}${ns}/${info.plural}${tail}`;
  }

  async get(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>("GET", await this.url(apiVersion, kind, namespace, name));
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const list = await this.request<{ items: KubeObject[] }>(
      "GET",
      `${await this.url(apiVersion, kind, namespace)}${query}`,
    );
    // List items carry no apiVersion/kind; checks and CEL expect them as on a GET.
    return list.items.map((item) => ({ apiVersion, kind, ...item }));
  }

  /** Asks the API server's authorizers, as `kubectl auth can-i --as` does; nothing is stored. */
  async accessReview(request: AccessRequest): Promise<AccessAnswer> {
    const { user, groups, ...resourceAttributes } = request;
    const review = await this.request<{ status?: AccessAnswer }>(
      "POST",
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user, groups, resourceAttributes },
      },
    );
    return review.status ?? { allowed: false };
  }

  /** Server-side apply: creates or updates, owned by the field manager "kubedrill". */
  async apply(object: KubeObject): Promise<KubeObject> {
    const { apiVersion = "v1", kind = "", metadata = {} } = object;
    const url = await this.url(apiVersion, kind, metadata.namespace, metadata.name);
    return this.request<KubeObject>(
      "PATCH",
      `${url}?fieldManager=kubedrill&force=true`,
      object,
      "application/apply-patch+yaml",
    );
  }

  async mergePatch(apiVersion: string, kind: string, name: string, patch: unknown, namespace?: string) {
    const url = await this.url(apiVersion, kind, namespace, name);
    return this.request<KubeObject>("PATCH", url, patch, "application/merge-patch+json");
  }

  async create(object: KubeObject): Promise<KubeObject> {
    const { apiVersion = "v1", kind = "", metadata = {} } = object;
    return this.request<KubeObject>("POST", await this.url(apiVersion, kind, metadata.namespace), object);
  }

  /** Returns once the API accepted the deletion; a missing object is fine (false). */
  async delete(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
    gracePeriodSeconds?: number,
  ): Promise<boolean> {
    try {
      const url = await this.url(apiVersion, kind, namespace, name);
      const options = {
        kind: "DeleteOptions",
        apiVersion: "v1",
        propagationPolicy: "Background",
        gracePeriodSeconds,
      };
      await this.request("DELETE", url, options);
      return true;
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) return false;
      throw err;
    }
  }

  servedKinds(): Promise<ServedKind[]> {
    return servedKinds(this);
  }

  deleteCollection(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; fieldSelector?: string; gracePeriodSeconds?: number },
  ): Promise<void> {
    return deleteCollection(this, apiVersion, kind, options);
  }
}

function statusError(status: number, text: string): Error {
  let reason = "";
  let message = text.slice(0, 300) || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason ?? "";
    message = parsed.message ?? message;
  } catch {
    // not a Status object; keep the text
  }
  if (status === 401 || status === 403) {
    return new ClusterError(
      `the cluster refused the request (${status} ${reason || "Forbidden"}): ${message}`,
      undefined,
      "check that your kubeconfig user may read and write in this cluster",
    );
  }
  return new ApiStatusError(status, reason, message);
}
