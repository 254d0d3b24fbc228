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

/** How a task names the object(s) a check reads or a step waits for. */
export interface ObjectRef {
  kind: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
  /** A label selector, e.g. app=web,tier in (frontend) */
  selector?: string;
  /** Only objects this named object owns, through any chain of ownerReferences. */
  ownedBy?: { kind: string; name: string; apiVersion?: string };
  match?: "all" | "any";
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
  EndpointSlice: "discovery.k8s.io/v1",
  CSIDriver: "storage.k8s.io/v1",
  CSINode: "storage.k8s.io/v1",
  VolumeAttachment: "storage.k8s.io/v1",
  CustomResourceDefinition: "apiextensions.k8s.io/v1",
  CertificateSigningRequest: "certificates.k8s.io/v1",
  ValidatingAdmissionPolicy: "admissionregistration.k8s.io/v1",
  ValidatingAdmissionPolicyBinding: "admissionregistration.k8s.io/v1",
  RuntimeClass: "node.k8s.io/v1",
};

/** Task files may omit apiVersion for built-in kinds; core kinds are v1. */
export function apiVersionOf(kind: string, apiVersion?: string): string {
  return apiVersion ?? builtinApiVersions[kind] ?? "v1";
}

type Condition = { type?: string; status?: string; lastTransitionTime?: string };

/** The object's status condition of that type, if it reports one. */
export function conditionOf(object: KubeObject | undefined, type: string): Condition | undefined {
  const conditions = (object?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}

/** Whether the condition of that type is True (Ready, Available, …). */
export function conditionTrue(object: KubeObject | undefined, type: string): boolean {
  return conditionOf(object, type)?.status === "True";
}

/** The one Ready test: a node, pod or APIService whose Ready condition is True. */
export const isReady = (object: KubeObject | undefined): boolean => conditionTrue(object, "Ready");
