/** The CKA curriculum's domains: the one list the schema, sessions and reports use. */
export const domains = ["workloads", "networking", "storage", "troubleshooting", "architecture"] as const;

export type Domain = (typeof domains)[number];

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
