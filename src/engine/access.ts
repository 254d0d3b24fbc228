import type { AccessSpec } from "../catalog/schema.js";
import type { Mismatch } from "../model/results.js";
import type { AccessAnswer, AccessRequest, ClusterReader } from "./ports.js";

/**
 * Access checks: the API server answers "may this subject do this?" (a SubjectAccessReview),
 * so any route that grants it (Role or ClusterRole, RoleBinding or ClusterRoleBinding, a group)
 * passes, and a check never has to read RBAC objects itself.
 */

// API groups of the resources a CKA task asks about, so `deployments/scale` needs no `apps/`.
const groupOfResource: Record<string, string> = {
  deployments: "apps",
  replicasets: "apps",
  statefulsets: "apps",
  daemonsets: "apps",
  controllerrevisions: "apps",
  jobs: "batch",
  cronjobs: "batch",
  ingresses: "networking.k8s.io",
  ingressclasses: "networking.k8s.io",
  networkpolicies: "networking.k8s.io",
  roles: "rbac.authorization.k8s.io",
  rolebindings: "rbac.authorization.k8s.io",
  clusterroles: "rbac.authorization.k8s.io",
  clusterrolebindings: "rbac.authorization.k8s.io",
  storageclasses: "storage.k8s.io",
  csidrivers: "storage.k8s.io",
  volumeattachments: "storage.k8s.io",
  horizontalpodautoscalers: "autoscaling",
  poddisruptionbudgets: "policy",
  priorityclasses: "scheduling.k8s.io",
  leases: "coordination.k8s.io",
  customresourcedefinitions: "apiextensions.k8s.io",
  certificatesigningrequests: "certificates.k8s.io",
};
const knownGroups = new Set(["apps", "batch", "autoscaling", "policy", ...Object.values(groupOfResource)]);

/** `pods` → core pods; `apps/deployments`; `deployments/scale` → apps deployments, subresource scale. */
export function parseResource(text: string): { group: string; resource: string; subresource?: string } {
  const parts = text.split("/");
  const first = parts[0] ?? "";
  // The first part is a group when it has a dot or is a known group name; else it is the resource.
  const hasGroup =
    parts.length === 3 || (parts.length === 2 && (first.includes(".") || knownGroups.has(first)));
  const [resource = "", subresource] = hasGroup ? parts.slice(1) : parts;
  const group = hasGroup ? (first === "core" ? "" : first) : (groupOfResource[resource] ?? "");
  return subresource ? { group, resource, subresource } : { group, resource };
}

/** The user and groups the API server would see for the subject. */
export function subjectOf(as: AccessSpec["as"], taskNamespace: string): { user?: string; groups: string[] } {
  if ("serviceAccount" in as) {
    const ns = as.namespace ?? taskNamespace;
    return {
      user: `system:serviceaccount:${ns}:${as.serviceAccount}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
    };
  }
  // Whoever the API server authenticates is in system:authenticated, so bindings to it apply.
  if ("user" in as) return { user: as.user, groups: [...(as.groups ?? []), "system:authenticated"] };
  return { groups: [as.group, "system:authenticated"] };
}

/** One SubjectAccessReview per verb. */
export function accessRequests(spec: AccessSpec, taskNamespace: string): AccessRequest[] {
  const namespace = spec.namespace ?? taskNamespace;
  return spec.can.map((verb) => ({
    ...subjectOf(spec.as, taskNamespace),
    verb,
    ...parseResource(spec.resource),
    ...(namespace ? { namespace } : {}),
    ...(spec.name ? { name: spec.name } : {}),
  }));
}

/** "delete pods in namespace web", "get deployments/scale web in namespace x", "list nodes cluster-wide" */
function describeRequest(spec: AccessSpec, verb: string, taskNamespace: string): string {
  const namespace = spec.namespace ?? taskNamespace;
  const object = spec.name ? ` ${spec.name}` : "";
  return `${verb} ${spec.resource}${object} ${namespace ? `in namespace ${namespace}` : "cluster-wide"}`;
}

/** Each verb whose answer differs from the wanted one, with the API server's reason when it gives one. */
export function accessMismatches(
  spec: AccessSpec,
  answers: AccessAnswer[],
  taskNamespace: string,
): Mismatch[] {
  const word = (allowed: boolean) => (allowed ? "allowed" : "denied");
  return spec.can.flatMap((verb, i) => {
    const answer = answers[i];
    if (!answer || answer.allowed === spec.allowed) return [];
    const reason = answer.evaluationError || answer.reason;
    return [
      {
        path: describeRequest(spec, verb, taskNamespace),
        found: word(answer.allowed),
        want: word(spec.allowed),
        access: true,
        ...(reason ? { message: reason } : {}),
      },
    ];
  });
}

/** Asks the API server about every verb of an access check; reasons come back as Mismatches. */
export async function checkAccess(
  spec: AccessSpec,
  cluster: ClusterReader,
  taskNamespace: string,
): Promise<Mismatch[]> {
  if (!cluster.accessReview) throw new Error("this cluster reader cannot ask the API server about access");
  const review = cluster.accessReview.bind(cluster);
  const answers = await Promise.all(accessRequests(spec, taskNamespace).map(review));
  return accessMismatches(spec, answers, taskNamespace);
}
