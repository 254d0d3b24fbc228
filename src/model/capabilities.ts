/** What a cluster may or may not offer; `kubedrill doctor` shows what the current one has. */
export const capabilityNames = [
  "containers",
  "network-policy",
  "node-access",
  "metrics-server",
  "dns",
  "provisioner",
  "logs",
  "node-services",
  "etcdctl",
  "api-server-down",
  "helm",
] as const;
export type Capability = (typeof capabilityNames)[number];

/** Whether the cluster offers one capability, and the evidence, in words a learner can check. */
export interface CapabilityState {
  available: boolean;
  why: string;
}

export interface Capabilities {
  has: Record<Capability, CapabilityState>;
  /** Ready, schedulable nodes without a control-plane role. */
  workers: number;
}
