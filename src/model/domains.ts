/** The CKA curriculum's domains: the one list the schema, sessions and reports use (weights: catalog/curriculum.ts). */
export const domains = ["workloads", "networking", "storage", "troubleshooting", "architecture"] as const;

export type Domain = (typeof domains)[number];
