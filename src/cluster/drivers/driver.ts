import type { Progress } from "../local/build.js";

export const driverNames = ["kind", "minikube", "local"] as const;
export type DriverName = (typeof driverNames)[number];

/** kind's cluster and minikube's profile: both are called kubedrill, like the local cluster's nodes. */
export const clusterName = "kubedrill";
/** The kubeconfig context each driver's cluster gets: kind prefixes "kind-", minikube uses the profile. */
export const kindContext = `kind-${clusterName}`;
export const minikubeContext = clusterName;

export interface UpResult {
  context: string;
  alreadyRunning: boolean;
  seconds: number;
  /** Where it runs, e.g. the API server URL or the node image. */
  detail?: string;
}

/** One part of a cluster (a component, a node container, a minikube node) and its health. */
export interface PartStatus {
  name: string;
  healthy: boolean;
  detail: string;
}

/** Creates, removes and inspects one practice cluster. */
export interface ClusterDriver {
  readonly name: DriverName;
  readonly context: string;
  /** fresh: start empty even if a cluster is there (only the local driver keeps data across up). */
  up(progress: Progress, options?: { fresh?: boolean }): Promise<UpResult>;
  down(progress: Progress): Promise<{ wasRunning: boolean }>;
  /** Undefined when there is no such cluster. */
  status(): Promise<PartStatus[] | undefined>;
}
