import { describe, expect, it } from "vitest";
import { formatMismatch, match } from "../../src/engine/match.js";

// NetworkPolicy specs in the shape the API server stores them (protocol and policyTypes filled in).
const app = { podSelector: { matchLabels: { app: "api" } } };
const team = { namespaceSelector: { matchLabels: { team: "shop" } } };
const both = { ...team, ...app };
const tcp = (port: number) => ({ port, protocol: "TCP" });
const policy = (from: object[], ports = [tcp(5432)]) => ({
  spec: { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ from, ports }] },
});
const wanted = policy([both]).spec;

const exact = (want: unknown, actual: unknown) => match(want, actual, "", "exact").map(formatMismatch);

describe("match with lists: exact", () => {
  it("accepts the same peers and ports in another order", () => {
    const want = policy([both, { ipBlock: { cidr: "10.0.0.0/8" } }], [tcp(5432), tcp(6432)]);
    const actual = policy([{ ipBlock: { cidr: "10.0.0.0/8" } }, both], [tcp(6432), tcp(5432)]);
    expect(exact(want, actual)).toEqual([]);
  });

  it("rejects one peer split into two (namespace OR pod instead of AND)", () => {
    expect(exact({ spec: wanted }, policy([team, app]))).toEqual([
      expect.stringContaining("spec.ingress[0].from: 2 items, want exactly 1"),
    ]);
    // The default mode cannot tell: the wanted AND-peer is absent here, but an extra peer is not caught.
    expect(match({ spec: wanted }, policy([both, team]))).toEqual([]);
    expect(exact({ spec: wanted }, policy([both, team]))).toEqual([
      expect.stringContaining("spec.ingress[0].from: 2 items, want exactly 1"),
    ]);
  });

  it("rejects a peer that lost its podSelector, naming the field", () => {
    expect(exact({ spec: wanted }, policy([team]))).toEqual([
      'spec.ingress[0].from[0].podSelector: missing, want {"matchLabels":{"app":"api"}}',
    ]);
  });

  it("rejects an extra port and an extra policy type", () => {
    expect(exact({ spec: wanted }, policy([both], [tcp(5432), tcp(80)]))).toEqual([
      expect.stringContaining("spec.ingress[0].ports: 2 items, want exactly 1"),
    ]);
    const egressToo = policy([both]);
    egressToo.spec.policyTypes.push("Egress");
    expect(exact({ spec: wanted }, egressToo)).toEqual([
      expect.stringContaining("spec.policyTypes: 2 items"),
    ]);
  });

  it("pairs items one to one even when a greedy choice would fail", () => {
    // The first wanted item fits both actual ones; only pairing it with the second leaves a partner for the next.
    const want = [{ protocol: "TCP" }, { protocol: "TCP", port: 53 }];
    expect(exact(want, [tcp(53), tcp(80)])).toEqual([]);
    // [0] is the partner of the first wanted item: the one left over is what differs.
    expect(exact(want, [tcp(80), tcp(81)])).toEqual(["[1].port: found 81, want 53"]);
    // Both wanted items fit the first actual one only: the second is compared with the other.
    expect(exact([{ port: 53 }, { port: 53 }], [tcp(53), tcp(80)])).toEqual(["[1].port: found 80, want 53"]);
  });

  it("names each actual item left without a partner once, not the nearest one for every wanted item", () => {
    // kube-dns's EndpointSlice while both CoreDNS pods crash-loop (local cluster, trimmed).
    const endpoint = (ip: string) => ({
      addresses: [ip],
      conditions: { ready: false, serving: false, terminating: false },
    });
    const ready = { conditions: { ready: true } };
    expect(exact([ready, ready], [endpoint("10.244.1.3"), endpoint("10.244.2.4")])).toEqual([
      "[0].conditions.ready: found false, want true",
      "[1].conditions.ready: found false, want true",
    ]);
  });
});
