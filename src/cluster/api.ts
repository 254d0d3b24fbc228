import type { RequestOptions } from "node:https";
import { request } from "node:https";
import { ApiStatusError, ClusterError, KindNotServedError } from "../errors.js";
import type { AccessAnswer, AccessRequest, DeleteCollectionOptions, ServedKind } from "../model/cluster.js";
import type { KubeObject } from "../model/kube.js";
import { garbageError, statusError, transportError } from "./api-errors.js";
import { boundExecPlugins, execPluginTimeoutMs } from "./exec-plugin.js";
import type { KubeConfig } from "./kubeconfig.js";
import { loadKubeConfig } from "./kubeconfig-load.js";
import { deleteCollection, servedKinds } from "./served-kinds.js";

export { ApiStatusError } from "../errors.js";

export type { AccessAnswer, AccessRequest, KubeObject, ServedKind };

export interface ResourceInfo {
  path: string; // e.g. /api/v1 or /apis/apps/v1
  plural: string;
  namespaced: boolean;
}

export interface ApiOptions {
  kubeconfig?: string;
  context?: string;
  /** How long one request may go unanswered; tests shorten it. */
  timeoutMs?: number;
  /** How long an exec credential plugin may take; tests shorten it. */
  execTimeoutMs?: number;
}

/** kubectl's default request timeout is unlimited; 30 s is long for any read a check makes. */
export const requestTimeoutMs = 30_000;

/**
 * A small REST client over the kubeconfig's credentials. client-node's typed
 * models turn timestamps into Date objects and drop unknown fields; checks need
 * the objects exactly as kubectl sees them, so this reads raw JSON.
 */
export class KubeApi {
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  /** Names a credential plugin killed for taking too long; set once client-node runs plugins. */
  private pluginError: (err: Error) => Error = (err) => err;

  constructor(
    readonly config: KubeConfig,
    readonly timeoutMs = requestTimeoutMs,
    execTimeoutMs = execPluginTimeoutMs,
  ) {
    // Exec plugins run only in the client-node delegate, created on first need.
    config.onClientNode = (full) => {
      this.pluginError = boundExecPlugins(full, execTimeoutMs);
    };
  }

  static load(options: ApiOptions = {}): KubeApi {
    const config = loadKubeConfig(options);
    return new KubeApi(config, options.timeoutMs, options.execTimeoutMs);
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
    raw = false,
  ): Promise<T> {
    const url = new URL(path, this.server);
    const options: RequestOptions = { method, headers: { Accept: accept } };
    await this.config.applyToHTTPSOptions(options).catch((err: Error) => {
      const bounded = this.pluginError(err);
      if (bounded !== err) throw bounded;
      throw new ClusterError(
        `cannot use the credentials of context "${this.contextName}": ${err.message}`,
        this.contextName,
        "check the context with: kubectl config view --minify",
      );
    });
    const at = { context: this.contextName, server: this.server, what: `${method} ${path}` };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Content-Length always: Node sends a DELETE body unframed otherwise, which a kept-alive connection misreads.
    if (payload) {
      Object.assign(options.headers as object, {
        "Content-Type": contentType,
        "Content-Length": Buffer.byteLength(payload),
      });
    }
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const req = request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        // A connection dropped mid-body ends here rather than in "end".
        res.on("error", (err) => reject(transportError(err, timedOut ? this.timeoutMs : undefined, at)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(statusError(status, text, at));
            return;
          }
          if (raw) {
            resolve(text as T);
            return;
          }
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(garbageError(text, at));
          }
        });
      });
      req.on("error", (err) => reject(transportError(err, timedOut ? this.timeoutMs : undefined, at)));
      req.setTimeout(this.timeoutMs, () => {
        timedOut = true;
        req.destroy(new Error(`no answer within ${this.timeoutMs}ms`));
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Finds the REST path of a kind, from API discovery, cached per group version. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let group = this.discovery.get(apiVersion);
    if (!group) {
      group = this.discover(apiVersion);
      this.discovery.set(apiVersion, group);
      group.catch(() => this.discovery.delete(apiVersion));
    }
    const info = (await group.catch((err: unknown) => this.notServed(err, apiVersion, kind))).get(kind);
    if (!info) {
      throw new KindNotServedError(
        apiVersion,
        kind,
        `cluster "${this.contextName}" serves no kind ${kind} in ${apiVersion} (its API group lists other kinds)`,
      );
    }
    return info;
  }

  /** A 404 for a whole group version: the kind is not served here, which no check can grade. */
  private notServed(err: unknown, apiVersion: string, kind: string): never {
    if (!(err instanceof ApiStatusError && err.status === 404)) throw err;
    throw new KindNotServedError(
      apiVersion,
      kind,
      `cluster "${this.contextName}" does not serve ${apiVersion} (404 for the whole API group), so it has no kind ${kind}`,
    );
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

  /** GET /readyz: undefined on "ok"; a refusal, a dropped connection or a 500 says why it is not ready. */
  async notReady(): Promise<string | undefined> {
    try {
      const text = await this.request<string>("GET", "/readyz", undefined, undefined, "text/plain", true);
      return text.trim() === "ok"
        ? undefined
        : `/readyz answered ${JSON.stringify(text.trim().slice(0, 200))}`;
    } catch (err) {
      if (err instanceof ClusterError) return err.message;
      throw err;
    }
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

  async strategicPatch(apiVersion: string, kind: string, name: string, patch: unknown, namespace?: string) {
    const url = await this.url(apiVersion, kind, namespace, name);
    return this.request<KubeObject>("PATCH", url, patch, "application/strategic-merge-patch+json");
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
      // Nothing of a kind the cluster does not serve (any more) is left to delete.
      if (err instanceof ApiStatusError && err.status === 404) return false;
      if (err instanceof KindNotServedError) return false;
      throw err;
    }
  }

  servedKinds(): Promise<ServedKind[]> {
    return servedKinds(this);
  }

  deleteCollection(apiVersion: string, kind: string, options: DeleteCollectionOptions): Promise<void> {
    return deleteCollection(this, apiVersion, kind, options);
  }
}
