import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatMismatch, match } from "../../src/engine/match.js";

// Hand-written in the shape `kubectl get pod redis -n pods-redis -o json` returns for a
// pod stuck on a wrong image (no cluster was at hand to capture one).
const pod = JSON.parse(readFileSync(new URL("../fixtures/pod-redis.json", import.meta.url), "utf8"));

function podWith(change: (p: typeof pod) => void): typeof pod {
  const copy = structuredClone(pod);
  change(copy);
  return copy;
}

describe("match", () => {
  it("nested maps match on wanted keys only, ignoring the rest", () => {
    expect(
      match(
        { metadata: { name: "redis", namespace: "pods-redis" }, spec: { dnsPolicy: "ClusterFirst" } },
        pod,
      ),
    ).toEqual([]);
  });

  it("a differing nested value is reported at its dotted path", () => {
    expect(match({ metadata: { namespace: "default" }, spec: { restartPolicy: "Never" } }, pod)).toEqual([
      { path: "metadata.namespace", found: "pods-redis", want: "default" },
      { path: "spec.restartPolicy", found: "Always", want: "Never" },
    ]);
  });

  it("a missing key is reported with found undefined", () => {
    const probe = { httpGet: { path: "/healthz", port: 6379 } };
    expect(match({ spec: { containers: [{ name: "redis", livenessProbe: probe }] } }, pod)).toEqual([
      { path: "spec.containers[redis].livenessProbe", found: undefined, want: probe },
    ]);
  });

  it("a wanted map against a scalar is one mismatch, not a crash", () => {
    expect(match({ spec: { nodeName: { name: "x" } } }, pod)).toEqual([
      { path: "spec.nodeName", found: "kubedrill-worker", want: { name: "x" } },
    ]);
  });

  it("lists of named objects match by name, in any order", () => {
    const twoContainers = podWith((p) => {
      p.spec.containers.unshift({ name: "sidecar", image: "busybox:1.36" });
    });
    const want = {
      spec: {
        containers: [
          { name: "redis", image: "redis123" },
          { name: "sidecar", image: "busybox:1.36" },
        ],
      },
    };
    expect(match(want, twoContainers)).toEqual([]);
  });

  it("a named list item is addressed by name in the path", () => {
    expect(match({ spec: { containers: [{ name: "redis", image: "redis" }] } }, pod)).toEqual([
      { path: "spec.containers[redis].image", found: "redis123", want: "redis" },
    ]);
    expect(
      match({ spec: { volumes: [{ name: "kube-api-access-7wq2k", projected: { defaultMode: 493 } }] } }, pod),
    ).toEqual([{ path: "spec.volumes[kube-api-access-7wq2k].projected.defaultMode", found: 420, want: 493 }]);
  });

  it("a wanted name with no actual item lists the names that exist", () => {
    expect(match({ spec: { containers: [{ name: "nginx" }] } }, pod)).toEqual([
      { path: "spec.containers[nginx]", found: ["redis"], message: 'no item named "nginx"' },
    ]);
  });

  it("unnamed lists pass when each wanted item matches some actual item", () => {
    const want = {
      spec: { tolerations: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] },
      status: { conditions: [{ type: "PodScheduled", status: "True" }] },
    };
    expect(match(want, pod)).toEqual([]);
  });

  it("an unnamed wanted item matching no actual item names the nearest item and each field of it that differs", () => {
    const mismatches = match(
      { status: { conditions: [{ type: "PodScheduled" }, { type: "Ready", status: "True" }] } },
      pod,
    );
    expect(mismatches).toEqual([
      {
        path: "status.conditions",
        want: { type: "Ready", status: "True" },
        message: "no item matches; the nearest is [2]",
      },
      { path: "status.conditions[2].status", found: "False", want: "True" },
    ]);
  });

  it("the nearest item is the one with the fewest differences, and every differing field is reported", () => {
    const ports = [
      { containerPort: 9090, protocol: "UDP" },
      { containerPort: 8080, protocol: "TCP", name: "web" },
    ];
    const mismatches = match({ ports: [{ containerPort: 80, protocol: "TCP" }] }, { ports });
    expect(mismatches.map(formatMismatch)).toEqual([
      'ports: no item matches; the nearest is [1] (want {"containerPort":80,"protocol":"TCP"})',
      "ports[1].containerPort: found 8080, want 80",
    ]);
    const both = match({ ports: [{ containerPort: 80, protocol: "SCTP" }] }, { ports: ports.slice(0, 1) });
    expect(both).toEqual([
      { path: "ports[0].containerPort", found: 9090, want: 80 },
      { path: "ports[0].protocol", found: "UDP", want: "SCTP" },
    ]);
  });

  it("a wanted scalar missing from a list of scalars shows the whole list", () => {
    expect(match({ args: ["infinity"] }, { args: ["sleep", "3600"] })).toEqual([
      { path: "args[0]", found: ["sleep", "3600"], want: "infinity", message: "no item matches" },
    ]);
  });

  it("quantities compare by value when a side has a unit: 100m == 0.1, 64Mi == 67108864, 1Gi == 1024Mi", () => {
    const resources = { requests: { cpu: "0.1", memory: 67108864 }, limits: { memory: "0.0625Gi" } };
    expect(match({ spec: { containers: [{ name: "redis", resources }] } }, pod)).toEqual([]);
    expect(match("1Gi", "1024Mi")).toEqual([]);
    expect(match("300m", "0.3")).toEqual([]);
  });

  it("different quantities still mismatch", () => {
    expect(
      match({ spec: { containers: [{ name: "redis", resources: { requests: { cpu: "200m" } } }] } }, pod),
    ).toEqual([{ path: "spec.containers[redis].resources.requests.cpu", found: "100m", want: "200m" }]);
    expect(match("64M", "64Mi")).toHaveLength(1);
  });

  it("numbers and numeric strings without a unit compare strictly", () => {
    expect(
      match(
        { spec: { containers: [{ name: "redis", ports: [{ name: "redis", containerPort: "6379" }] }] } },
        pod,
      ),
    ).toEqual([{ path: "spec.containers[redis].ports[redis].containerPort", found: 6379, want: "6379" }]);
  });

  it("booleans compare strictly", () => {
    expect(match({ status: { containerStatuses: [{ name: "redis", ready: "false" }] } }, pod)).toEqual([
      { path: "status.containerStatuses[redis].ready", found: false, want: "false" },
    ]);
  });

  it("label keys with dots or slashes are bracketed and quoted in paths", () => {
    expect(match({ metadata: { labels: { "app.kubernetes.io/name": "web", run: "redis" } } }, pod)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', found: "redis", want: "web" },
    ]);
  });

  it("null means the field must be absent or null", () => {
    expect(
      match(
        { spec: { hostNetwork: null }, status: { conditions: [{ type: "Ready", lastProbeTime: null }] } },
        pod,
      ),
    ).toEqual([]);
    expect(match({ spec: { nodeName: null } }, pod)).toEqual([
      { path: "spec.nodeName", found: "kubedrill-worker", want: null },
    ]);
  });

  it("inherited object properties do not count as present keys", () => {
    expect(match({ metadata: { labels: { constructor: "x" } } }, pod)).toEqual([
      { path: "metadata.labels.constructor", found: undefined, want: "x" },
    ]);
  });
});

describe("formatMismatch", () => {
  it("shows found and want as compact JSON", () => {
    const [m] = match({ spec: { containers: [{ name: "redis", image: "redis" }] } }, pod);
    expect(m && formatMismatch(m)).toBe('spec.containers[redis].image: found "redis123", want "redis"');
  });

  it("says missing when nothing was found", () => {
    const m = {
      path: "spec.livenessProbe",
      found: undefined,
      want: { httpGet: { path: "/healthz", port: 6379 } },
    };
    expect(formatMismatch(m)).toBe(
      'spec.livenessProbe: missing, want {"httpGet":{"path":"/healthz","port":6379}}',
    );
  });

  it("keeps a short long-value prefix when the difference is near the start", () => {
    const message = pod.status.containerStatuses[0].state.waiting.message;
    const text = formatMismatch({ path: "reason", found: message, want: "x" });
    expect(text).toBe(`reason: found ${JSON.stringify(message).slice(0, 80)}…, want "x"`);
  });

  it("elides long values around their first difference, so the differing part always shows", () => {
    const base = "a".repeat(120);
    const text = formatMismatch({
      path: "content",
      found: `${base}PORT=8080${base}`,
      want: `${base}PORT=80`,
    });
    expect(text).toContain("PORT=8080");
    expect(text).toContain("PORT=80");
    expect(text).toMatch(/^content: found …a+PORT=8080a+…, want …a+PORT=80"$/);
  });

  it("a differing port deep inside a long list item is shown, not cut off", () => {
    const container = {
      name: "web",
      image: "registry.example.com/team/very-long-image-name:1.2.3",
      env: [{ name: "A", value: "x".repeat(60) }],
      ports: [{ containerPort: 8080, protocol: "TCP" }],
    };
    const reasons = match(
      { containers: [{ image: container.image, ports: [{ containerPort: 80 }] }] },
      {
        containers: [container],
      },
    ).map(formatMismatch);
    expect(reasons.some((r) => r.includes("found 8080, want 80"))).toBe(true);
  });

  it("shows a message alone, and found/want after it when present", () => {
    expect(formatMismatch({ path: "status.phase", message: "missing" })).toBe("status.phase: missing");
    expect(
      formatMismatch({ path: "spec.containers[nginx]", found: ["redis"], message: 'no item named "nginx"' }),
    ).toBe('spec.containers[nginx]: no item named "nginx" (found ["redis"])');
  });

  it("renders an empty path without a prefix", () => {
    expect(formatMismatch({ path: "", message: "expect: object.spec.replicas >= 3 is false" })).toBe(
      "expect: object.spec.replicas >= 3 is false",
    );
    expect(formatMismatch({ path: "", found: 1, want: 3 })).toBe("found 1, want 3");
  });
});
