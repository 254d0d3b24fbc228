import { gunzipSync } from "node:zlib";
import { type CelFunc, CelScalar, type CelValue, celFunc, isCelMap } from "@bufbuild/cel";
import { toCel } from "./values.js";

/**
 * Ours: a Helm release as Helm stores it. Helm 3 and 4 keep each revision of a release in a
 * Secret `sh.helm.release.v1.<name>.v<revision>` of type helm.sh/release.v1, whose
 * `data.release` is the release as JSON, gzipped and base64-encoded (and base64-encoded once
 * more by the API, as every Secret's data is). Decoded, it says what the Secret's labels do
 * not: the values the user gave (`config`), the chart, the rendered `manifest`, and why the
 * revision exists (`info.description`: "Install complete", "Upgrade complete", "Rollback to 1").
 */
const releaseType = "helm.sh/release.v1";
const gzipMagic = [0x1f, 0x8b];

// A snapshot's Secrets never change: each is decoded once, however many checks read it.
const decoded = new WeakMap<object, CelValue>();

export function helmRelease(secret: CelValue): CelValue {
  if (!isCelMap(secret)) throw new Error("helm.release() takes a Secret");
  const known = decoded.get(secret);
  if (known !== undefined) return known;
  const metadata = secret.get("metadata");
  const name = String((isCelMap(metadata) ? metadata.get("name") : undefined) ?? "");
  const data = secret.get("data");
  const encoded = isCelMap(data) ? data.get("release") : undefined;
  if (secret.get("type") !== releaseType || typeof encoded !== "string") {
    throw new Error(
      `helm.release(): Secret ${name} is not a Helm release (type ${releaseType} with data.release)`,
    );
  }
  const release = decodeRelease(encoded, name);
  const value = toCel(release) as CelValue;
  decoded.set(secret, value);
  return value;
}

/** The API's base64 of Helm's base64 of (usually) gzipped JSON. */
export function decodeRelease(encoded: string, name = "the Secret"): unknown {
  try {
    let bytes = Buffer.from(Buffer.from(encoded, "base64").toString("latin1"), "base64");
    if (bytes[0] === gzipMagic[0] && bytes[1] === gzipMagic[1]) bytes = gunzipSync(bytes);
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new Error(`helm.release(): the release in ${name} does not decode (${(err as Error).message})`);
  }
}

export const helm: CelFunc[] = [celFunc("helm.release", [CelScalar.DYN], CelScalar.DYN, helmRelease)];
