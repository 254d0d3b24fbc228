import type { Domain } from "../model/domains.js";

export type { Domain };

/** The CKA curriculum's weights in percent, heaviest first. */
export const ckaWeights: Record<Domain, number> = {
  troubleshooting: 30,
  architecture: 25,
  networking: 20,
  workloads: 15,
  storage: 10,
};

/** Every domain, heaviest first: the order tables and ties follow. */
export const byWeight = Object.keys(ckaWeights) as Domain[];

/**
 * The CKA curriculum's competencies per domain (cncf/curriculum, CKA v1.35, unchanged
 * since the February 2025 revision). A task names one by id; docs/catalog.md counts
 * the tasks behind each, so gaps in the catalog are visible.
 */
export const competencies = {
  architecture: {
    rbac: "Manage role based access control (RBAC)",
    "kubeadm-infrastructure": "Prepare underlying infrastructure for installing a Kubernetes cluster",
    "kubeadm-clusters": "Create and manage Kubernetes clusters using kubeadm",
    "cluster-lifecycle": "Manage the lifecycle of Kubernetes clusters",
    "ha-control-plane": "Implement and configure a highly-available control plane",
    "helm-kustomize": "Use Helm and Kustomize to install cluster components",
    "extension-interfaces": "Understand extension interfaces (CNI, CSI, CRI, etc.)",
    "crds-operators": "Understand CRDs, install and configure operators",
  },
  workloads: {
    "deployments-rollouts":
      "Understand application deployments and how to perform rolling update and rollbacks",
    "configmaps-secrets": "Use ConfigMaps and Secrets to configure applications",
    autoscaling: "Configure workload autoscaling",
    "self-healing": "Understand the primitives used to create robust, self-healing, application deployments",
    "admission-scheduling": "Configure Pod admission and scheduling (limits, node affinity, etc.)",
  },
  networking: {
    connectivity: "Understand connectivity between Pods",
    "network-policies": "Define and enforce Network Policies",
    services: "Use ClusterIP, NodePort, LoadBalancer service types and endpoints",
    "gateway-api": "Use the Gateway API to manage Ingress traffic",
    ingress: "Know how to use Ingress controllers and Ingress resources",
    coredns: "Understand and use CoreDNS",
  },
  storage: {
    "storage-classes": "Implement storage classes and dynamic volume provisioning",
    "volume-types": "Configure volume types, access modes and reclaim policies",
    "pv-pvc": "Manage persistent volumes and persistent volume claims",
  },
  troubleshooting: {
    "clusters-nodes": "Troubleshoot clusters and nodes",
    "cluster-components": "Troubleshoot cluster components",
    "resource-usage": "Monitor cluster and application resource usage",
    "container-output": "Manage and evaluate container output streams",
    "services-networking": "Troubleshoot services and networking",
  },
} as const satisfies Record<Domain, Record<string, string>>;

export type Competency = {
  [D in Domain]: keyof (typeof competencies)[D];
}[Domain];

/** The competency ids of a domain, in curriculum order. */
export function competencyIds(domain: Domain): string[] {
  return Object.keys(competencies[domain]);
}
