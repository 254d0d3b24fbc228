import type { AccessAnswer, AccessRequest, KubeObject } from "../cluster/api.js";
import type { NodeAccess } from "../cluster/node-access.js";
import type { ServedKind } from "../cluster/served-kinds.js";

export type { AccessAnswer, AccessRequest, KubeObject, NodeAccess, ServedKind };

/** What checks may use: reads only. */
export interface ClusterReader {
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  resource(apiVersion: string, kind: string): Promise<{ namespaced: boolean }>;
  /** A SubjectAccessReview; optional because plain snapshots of objects cannot answer it. */
  accessReview?(request: AccessRequest): Promise<AccessAnswer>;
}

/** What setup and reset may use. */
export interface ClusterWriter extends ClusterReader {
  apply(object: KubeObject): Promise<KubeObject>;
  mergePatch(
    apiVersion: string,
    kind: string,
    name: string,
    patch: unknown,
    namespace?: string,
  ): Promise<KubeObject>;
  delete(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
    gracePeriodSeconds?: number,
  ): Promise<boolean>;
  /** Every kind the server serves: what reset empties and verify scans. */
  servedKinds(): Promise<ServedKind[]>;
  deleteCollection(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; fieldSelector?: string; gracePeriodSeconds?: number },
  ): Promise<void>;
}

const builtinApiVersions: Record<string, string> = {
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Ingress: "networking.k8s.io/v1",
  IngressClass: "networking.k8s.io/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  Role: "rbac.authorization.k8s.io/v1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
  ClusterRole: "rbac.authorization.k8s.io/v1",
  ClusterRoleBinding: "rbac.authorization.k8s.io/v1",
  StorageClass: "storage.k8s.io/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  PriorityClass: "scheduling.k8s.io/v1",
  Lease: "coordination.k8s.io/v1",
};

/** Task files may omit apiVersion for built-in kinds; core kinds are v1. */
export function apiVersionOf(kind: string, apiVersion?: string): string {
  return apiVersion ?? builtinApiVersions[kind] ?? "v1";
}

/**
 * One grading pass's view of the cluster: every read of the same kind in the same
 * namespace shares one LIST, so a task with many checks costs a few requests.
 */
export class Snapshot implements ClusterReader {
  private readonly lists = new Map<string, Promise<KubeObject[]>>();
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
    const items = await this.list(apiVersion, kind, namespaced ? namespace : undefined);
    return items.find((o) => o.metadata?.name === name);
  }

  resource(apiVersion: string, kind: string) {
    return this.cluster.resource(apiVersion, kind);
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
