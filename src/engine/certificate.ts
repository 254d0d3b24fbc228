import { X509Certificate } from "node:crypto";

import type { CertificateField } from "../model/certificate-fields.js";

/**
 * One field of the first PEM certificate in content: notAfter and notBefore as RFC 3339
 * in UTC (`2027-12-05T23:30:24Z`), subject and issuer as openssl prints them on one line
 * (`CN=kube-apiserver`), serialNumber in hex. A problem says why it could not be read.
 */
export function certificateField(content: string, field: CertificateField): string | { problem: string } {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(content)?.[0];
  if (pem === undefined) return { problem: "no PEM certificate in it" };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    return { problem: `not a certificate (${(err as Error).message})` };
  }
  switch (field) {
    case "notAfter":
      return rfc3339(cert.validTo);
    case "notBefore":
      return rfc3339(cert.validFrom);
    case "subject":
      return oneLine(cert.subject);
    case "issuer":
      return oneLine(cert.issuer);
    case "serialNumber":
      return cert.serialNumber;
  }
}

// Node prints validity as openssl does: `Dec  5 23:30:24 2027 GMT`.
const rfc3339 = (openssl: string) => new Date(openssl).toISOString().replace(/\.000Z$/, "Z");

// Node gives one attribute a line (`O=system:masters\nCN=kube-apiserver`).
const oneLine = (name: string) => name.split("\n").join(", ");
