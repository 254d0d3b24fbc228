import {
  type CelFunc,
  CelScalar,
  type CelValue,
  celFunc,
  celMethod,
  isCelMap,
  listType,
  mapType,
} from "@bufbuild/cel";

/**
 * Kubernetes' ip, cidr and url libraries (k8s.io/apiserver/pkg/cel/library/{ip,cidr,urls}.go).
 * Like quantities, each value is a one-entry map holding its canonical text.
 */
const valueType = mapType(CelScalar.STRING, CelScalar.DYN);
const { STRING, BOOL, INT } = CelScalar;

interface IP {
  family: 4 | 6;
  bytes: number[];
  text: string;
}

/** Parses an address strictly (no leading zeros, zones or IPv4-mapped IPv6), as netip.ParseAddr in ip(). */
export function parseIP(text: string): IP | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    const strict = v4.slice(1).every((o) => o === "0" || !o.startsWith("0"));
    return strict && bytes.every((b) => b <= 255) ? { family: 4, bytes, text } : undefined;
  }
  if (!text.includes(":") || text.includes("%") || text.includes(".")) return undefined;
  let canonical: string;
  try {
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = "", tail] = canonical.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
  return { family: 6, bytes: groups.flatMap((g) => [g >> 8, g & 255]), text: canonical };
}

interface CIDR {
  ip: IP;
  prefix: number;
}

function parseCIDR(text: string): CIDR | undefined {
  const [address = "", prefix, extra] = text.split("/");
  const ip = parseIP(address);
  if (!ip || extra !== undefined || !/^\d{1,3}$/.test(prefix ?? "")) return undefined;
  const bits = Number(prefix);
  return bits <= ip.bytes.length * 8 ? { ip, prefix: bits } : undefined;
}

function masked({ ip, prefix }: CIDR): IP {
  const bytes = ip.bytes.map((b, i) => b & (0xff << Math.max(0, 8 - Math.max(0, prefix - 8 * i))) & 0xff);
  return ip.family === 4 ? { family: 4, bytes, text: bytes.join(".") } : (parseIP(v6Text(bytes)) as IP);
}

function v6Text(bytes: number[]): string {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(":");
}

function contains(net: CIDR, ip: IP): boolean {
  if (ip.family !== net.ip.family) return false;
  return masked({ ip, prefix: net.prefix }).text === masked(net).text;
}

const wrap = (key: string, text: string) => new Map([[key, text]]) as unknown as CelValue;
function unwrap<T>(key: string, parse: (text: string) => T | undefined, v: CelValue): T {
  const text = isCelMap(v) ? v.get(key) : undefined;
  const parsed = typeof text === "string" ? parse(text) : undefined;
  if (parsed === undefined)
    throw new Error(`not ${key.slice(1)} value: create one with ${key.slice(1)}("…")`);
  return parsed;
}
const ipOf = (v: CelValue) => unwrap("@ip", parseIP, v);
const cidrOf = (v: CelValue) => unwrap("@cidr", parseCIDR, v);
const urlOf = (v: CelValue) => unwrap("@url", parseURL, v);
const ipValue = (ip: IP) => wrap("@ip", ip.text) as never;
const cidrValue = (c: CIDR) => wrap("@cidr", `${c.ip.text}/${c.prefix}`) as never;

function must<T>(what: string, parsed: T | undefined, text: string): T {
  if (parsed === undefined) throw new Error(`${what} ${JSON.stringify(text)} is not valid`);
  return parsed;
}

/** An absolute URL or an absolute path, as url() accepts. */
function parseURL(text: string): URL | undefined {
  try {
    return text.startsWith("/") ? new URL(text, "path:/") : new URL(text);
  } catch {
    return undefined;
  }
}

const isLoopback = (ip: IP) => (ip.family === 4 ? ip.bytes[0] === 127 : ip.text === "::1");
const isUnspecified = (ip: IP) => ip.bytes.every((b) => b === 0);
const isLinkLocalUnicast = (ip: IP) =>
  ip.family === 4
    ? ip.bytes[0] === 169 && ip.bytes[1] === 254
    : ip.bytes[0] === 0xfe && ((ip.bytes[1] ?? 0) & 0xc0) === 0x80;
const isLinkLocalMulticast = (ip: IP) =>
  ip.family === 4
    ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0
    : ip.bytes[0] === 0xff && ((ip.bytes[1] ?? 0) & 0x0f) === 2;
const isMulticast = (ip: IP) =>
  ip.family === 4 ? ((ip.bytes[0] ?? 0) & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
const isBroadcast = (ip: IP) => ip.family === 4 && ip.bytes.every((b) => b === 255);
const isGlobalUnicast = (ip: IP) =>
  !isLoopback(ip) && !isUnspecified(ip) && !isLinkLocalUnicast(ip) && !isMulticast(ip) && !isBroadcast(ip);

const ipMethod = (name: string, test: (ip: IP) => boolean) =>
  celMethod(name, valueType, [], BOOL, function () {
    return test(ipOf(this));
  });

export const network: CelFunc[] = [
  celFunc("ip", [STRING], valueType, (text) => ipValue(must("IP address", parseIP(text), text))),
  celFunc("isIP", [STRING], BOOL, (text) => parseIP(text) !== undefined),
  celFunc("ip.isCanonical", [STRING], BOOL, (text) => must("IP address", parseIP(text), text).text === text),
  celMethod("family", valueType, [], INT, function () {
    return BigInt(ipOf(this).family);
  }),
  ipMethod("isUnspecified", isUnspecified),
  ipMethod("isLoopback", isLoopback),
  ipMethod("isLinkLocalMulticast", isLinkLocalMulticast),
  ipMethod("isLinkLocalUnicast", isLinkLocalUnicast),
  ipMethod("isGlobalUnicast", isGlobalUnicast),
  celFunc("cidr", [STRING], valueType, (text) => cidrValue(must("CIDR", parseCIDR(text), text))),
  celFunc("isCIDR", [STRING], BOOL, (text) => parseCIDR(text) !== undefined),
  celMethod("containsIP", valueType, [STRING], BOOL, function (text) {
    return contains(cidrOf(this), must("IP address", parseIP(text), text));
  }),
  celMethod("containsIP", valueType, [valueType], BOOL, function (ip) {
    return contains(cidrOf(this), ipOf(ip));
  }),
  celMethod("containsCIDR", valueType, [STRING], BOOL, function (text) {
    const other = must("CIDR", parseCIDR(text), text);
    return other.prefix >= cidrOf(this).prefix && contains(cidrOf(this), other.ip);
  }),
  celMethod("containsCIDR", valueType, [valueType], BOOL, function (value) {
    const other = cidrOf(value);
    return other.prefix >= cidrOf(this).prefix && contains(cidrOf(this), other.ip);
  }),
  celMethod("ip", valueType, [], valueType, function () {
    return ipValue(cidrOf(this).ip);
  }),
  celMethod("masked", valueType, [], valueType, function () {
    const net = cidrOf(this);
    return cidrValue({ ip: masked(net), prefix: net.prefix });
  }),
  celMethod("prefixLength", valueType, [], INT, function () {
    return BigInt(cidrOf(this).prefix);
  }),
  celFunc("url", [STRING], valueType, (text) => {
    must("URL", parseURL(text), text);
    return wrap("@url", text) as never;
  }),
  celFunc("isURL", [STRING], BOOL, (text) => parseURL(text) !== undefined),
  celMethod("getScheme", valueType, [], STRING, function () {
    const url = urlOf(this);
    return url.protocol === "path:" ? "" : url.protocol.slice(0, -1);
  }),
  celMethod("getHost", valueType, [], STRING, function () {
    const url = urlOf(this);
    return url.protocol === "path:" ? "" : url.host;
  }),
  celMethod("getHostname", valueType, [], STRING, function () {
    const url = urlOf(this);
    return url.protocol === "path:" ? "" : url.hostname.replace(/^\[(.*)\]$/, "$1");
  }),
  celMethod("getPort", valueType, [], STRING, function () {
    return urlOf(this).port;
  }),
  celMethod("getEscapedPath", valueType, [], STRING, function () {
    const url = urlOf(this);
    // The WHATWG parser gives "/" to a URL written without a path; Go's gives "", as Kubernetes shows.
    const written = isCelMap(this) ? String(this.get("@url")) : "";
    return /^[a-zA-Z][\w+.-]*:\/\/[^/?#]*([?#]|$)/.test(written) ? "" : url.pathname;
  }),
  celMethod("getQuery", valueType, [], mapType(STRING, listType(STRING)), function () {
    const query = new Map<string, string[]>();
    for (const [k, v] of urlOf(this).searchParams) query.set(k, [...(query.get(k) ?? []), v]);
    return query as never;
  }),
];
