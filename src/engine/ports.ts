import type {
  AccessAnswer,
  AccessRequest,
  ClusterReader,
  ClusterWriter,
  DeleteCollectionOptions,
  ServedKind,
} from "../model/cluster.js";
import { apiVersionOf, type KubeObject } from "../model/kube.js";
import type { NodeAccess } from "../model/node-access.js";

export {
  type AccessAnswer,
  type AccessRequest,
  apiVersionOf,
  type ClusterReader,
  type ClusterWriter,
  type DeleteCollectionOptions,
  type KubeObject,
  type NodeAccess,
  type ServedKind,
};

/**
 * One grading pass's view of the cluster: every read of the same kind in the same
 * namespace shares one LIST, so a task with many checks costs a few requests. An object
 * asked for by name is read by name (once a pass), as `kubectl get KIND NAME` reads it:
 * from etcd, where a LIST may answer from the API server's cache, which an etcd restore
 * leaves ahead of etcd until the API server restarts.
 */
export class Snapshot implements ClusterReader {
  private readonly lists = new Map<string, Promise<KubeObject[]>>();
  private readonly named = new Map<string, Promise<KubeObject | undefined>>();
  private readonly reviews = new Map<string, Promise<AccessAnswer>>();

  constructor(private readonly cluster: ClusterReader) {}

  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const key = [apiVersion, kind, namespace ?? "", labelSelector ?? ""].join("|");
    let list = this.lists.get(key);
    if (!list) {
      list = this.cluster.list(apiVersion, kind, namespace, labelSelector);
      this.lists.set(key, list);
    }
    return list;
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string) {
    const { namespaced } = await this.resource(apiVersion, kind);
    const key = [apiVersion, kind, namespaced ? (namespace ?? "") : "", name].join("|");
    let object = this.named.get(key);
    if (!object) {
      object = this.cluster.get(apiVersion, kind, name, namespaced ? namespace : undefined);
      this.named.set(key, object);
    }
    return object;
  }

  resource(apiVersion: string, kind: string) {
    return this.cluster.resource(apiVersion, kind);
  }

  /** Asked afresh every time: a pass's snapshot must not keep an API server's first answer. */
  notReady(): Promise<string | undefined> {
    const ask = this.cluster.notReady?.bind(this.cluster);
    if (!ask) return Promise.reject(new Error("this cluster reader cannot ask the API server /readyz"));
    return ask();
  }

  /** The same question within one pass is asked once. */
  accessReview(request: AccessRequest): Promise<AccessAnswer> {
    const ask = this.cluster.accessReview?.bind(this.cluster);
    if (!ask) return Promise.reject(new Error("this cluster reader cannot ask the API server about access"));
    const key = JSON.stringify(request);
    let answer = this.reviews.get(key);
    if (!answer) {
      answer = ask(request);
      this.reviews.set(key, answer);
    }
    return answer;
  }
}
