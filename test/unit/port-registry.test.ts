import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localPaths, type Ports } from "../../src/cluster/local/components.js";
import { claimPorts, releasePorts, reservePort } from "../../src/cluster/local/port-registry.js";

// The machine's reservations of local-cluster ports, on a scratch folder: the system's
// free ports are handed in, so a test can offer the same port twice.

let dir: string;
let registry: string;
beforeEach(async () => {
  dir = realpathSync(await mkdtemp(join(tmpdir(), "kubedrill-ports-")));
  registry = join(dir, "registry");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A cluster folder, with a state file recording ports when given. */
function cluster(name: string, ports?: Partial<Ports>): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  if (ports) writeFileSync(localPaths(root).stateFile, JSON.stringify({ version: 2, ports }));
  return root;
}

/** The system's answers, one after the other. */
const offering = (...ports: number[]) => {
  let i = 0;
  return async () => ports[i++] ?? 0;
};

const holders = () =>
  Object.fromEntries(readdirSync(registry).map((port) => [port, readFileSync(join(registry, port), "utf8")]));

describe("local cluster port reservations", () => {
  it("a port an existing cluster reserved is not handed out again, though nothing listens on it", async () => {
    const a = cluster("a", { apiserver: 40001 });
    await claimPorts(a, { apiserver: 40001 } as Ports, registry);
    const b = cluster("b");
    expect(await reservePort(b, registry, offering(40001, 40003))).toBe(40003);
    expect(holders()).toEqual({ "40001": a, "40003": b });
  });

  it("two clusters reserving at once never get the same port", async () => {
    const a = cluster("a");
    const b = cluster("b");
    const ports = await Promise.all([
      reservePort(a, registry, offering(40001, 40003)),
      reservePort(b, registry, offering(40001, 40003)),
    ]);
    expect([...ports].sort()).toEqual([40001, 40003]);
  });

  it("a reservation whose cluster is deleted, or recorded other ports, is taken over", async () => {
    const gone = cluster("gone");
    const moved = cluster("moved");
    await claimPorts(gone, { apiserver: 40001 } as Ports, registry);
    await claimPorts(moved, { apiserver: 40003 } as Ports, registry);
    await rm(gone, { recursive: true });
    writeFileSync(localPaths(moved).stateFile, JSON.stringify({ version: 2, ports: { apiserver: 40005 } }));
    const b = cluster("b");
    expect(await reservePort(b, registry, offering(40001))).toBe(40001);
    expect(await reservePort(b, registry, offering(40003))).toBe(40003);
    expect(holders()).toEqual({ "40001": b, "40003": b });
  });

  it("a cluster being made (its folder, no state file yet) keeps what it reserved", async () => {
    const a = cluster("a");
    expect(await reservePort(a, registry, offering(40001))).toBe(40001);
    expect(await reservePort(cluster("b"), registry, offering(40001, 40003))).toBe(40003);
  });

  it("draws ports below the ephemeral range, which the system hands to any program asking for a free port", async () => {
    const linux = "/proc/sys/net/ipv4/ip_local_port_range";
    const start = existsSync(linux)
      ? Math.min(Number(readFileSync(linux, "utf8").split(/\s+/)[0]), 32768)
      : 32768;
    const a = cluster("a");
    const ports = await Promise.all(Array.from({ length: 8 }, () => reservePort(a, registry)));
    for (const port of ports) expect(port).toBeLessThan(start);
    expect(new Set(ports).size).toBe(8);
  });

  it("release gives back the cluster's own ports and leaves the others'", async () => {
    const a = cluster("a", { apiserver: 40001, etcd: 40003 });
    const b = cluster("b", { apiserver: 40005 });
    await claimPorts(a, { apiserver: 40001, etcd: 40003 } as Ports, registry);
    await claimPorts(b, { apiserver: 40005 } as Ports, registry);
    await releasePorts(a, registry);
    expect(holders()).toEqual({ "40005": b });
  });
});
