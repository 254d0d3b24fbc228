import type { KubeObject } from "./kube.js";

/** What checks may use: reads only. */
export interface ClusterReader {
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  resource(apiVersion: string, kind: string): Promise<{ namespaced: boolean }>;
  /** A SubjectAccessReview; optional because plain snapshots of objects cannot answer it. */
  accessReview?(request: AccessRequest): Promise<AccessAnswer>;
  /**
   * Asks the API server's /readyz: undefined when it answers ok, else why not, in one line
   * (for kubedrill's local cluster, the API server's last log line). Optional because
   * plain snapshots of objects cannot answer it.
   */
  notReady?(): Promise<string | undefined>;
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
  /** Kubernetes' strategic merge patch (built-in kinds): lists of containers, env, ports… merge by name. */
  strategicPatch(
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
  deleteCollection(apiVersion: string, kind: string, options: DeleteCollectionOptions): Promise<void>;
}

export interface DeleteCollectionOptions {
  namespace?: string;
  fieldSelector?: string;
  gracePeriodSeconds?: number;
  /** Foreground keeps each owner until its dependents are gone; Background (the default) deletes it at once. */
  propagationPolicy?: "Foreground" | "Background";
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

/** One kind the API server serves, at its group's preferred version. */
export interface ServedKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** The verbs it allows, e.g. list, deletecollection. */
  verbs: string[];
}
