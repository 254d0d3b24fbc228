/** The fields of a PEM certificate that a task variable may read. */
export const certificateFields = ["notAfter", "notBefore", "subject", "issuer", "serialNumber"] as const;
export type CertificateField = (typeof certificateFields)[number];
