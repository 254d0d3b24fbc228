import type { KubeObject } from "./kube.js";

/** What checks may use: reads only. */
export interface ClusterReader {
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  resource(apiVersion: string, kind: string): Promise<{ namespaced: boolean }>;
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
}
