import { describe, expect, it } from "vitest";
import { taskSchema } from "../../src/catalog/schema.js";
import type { ClusterReader, NodeAccess } from "../../src/engine/ports.js";
import { fill, resolveVars, unknownVariable } from "../../src/engine/vars.js";
import { ClusterRequestError } from "../../src/errors.js";

describe("task variables", () => {
  it("fills {{name}} in every string of nested objects and lists", () => {
    const filled = fill(
      { a: "static-web-{{worker}}", b: [{ c: "{{ namespace }}/x" }], n: 3 },
      {
        worker: "kubedrill-worker",
        namespace: "pods-static",
      },
    );
    expect(filled).toEqual({ a: "static-web-kubedrill-worker", b: [{ c: "pods-static/x" }], n: 3 });
  });

  it("leaves unknown placeholders as they are so a check can say what is missing", () => {
    expect(fill("node {{podNode}}", { worker: "w" })).toBe("node {{podNode}}");
  });
});

describe("resolveVars with the API server down", () => {
  const task = taskSchema.parse({
    id: "api-down",
    title: "t",
    domain: "troubleshooting",
    difficulty: "easy",
    minutes: 5,
    namespace: "api-down",
    description: "d",
    vars: { rs: { resource: { kind: "ReplicaSet", name: "x" }, field: "metadata.name" } },
    checks: [{ title: "t", apiServer: "ready" }],
    solution: "true",
  });
  const refused = new ClusterRequestError("unreachable", "the API server is not answering");
  const reader: ClusterReader = {
    resource: async () => ({ namespaced: true }),
    list: async () => Promise.reject(refused),
    get: async () => Promise.reject(refused),
  };
  const nodes = {
    listNodes: async () => [
      { name: "kubedrill-worker2", controlPlane: false },
      { name: "kubedrill-control-plane", controlPlane: true },
      { name: "kubedrill-worker", controlPlane: false },
    ],
  } as unknown as NodeAccess;

  it("names the nodes from node access, and a variable read from the API stays unset with the reason", async () => {
    const vars = await resolveVars(task, reader, nodes, {});
    expect(vars).toMatchObject({
      controlPlane: "kubedrill-control-plane",
      worker: "kubedrill-worker",
      worker2: "kubedrill-worker2",
    });
    expect(vars.rs).toBeUndefined();
    expect(unknownVariable("{{rs}}", vars)).toBe("{{rs}} is not known yet (the API server is not answering)");
  });

  it("without node access that lists nodes, the API's error stands", async () => {
    await expect(resolveVars(task, reader, undefined, {})).rejects.toBe(refused);
  });
});

describe("a variable read from the object with the largest amount", () => {
  const podMetrics = (name: string, ...memory: string[]) => ({
    apiVersion: "metrics.k8s.io/v1beta1",
    kind: "PodMetrics",
    metadata: { name, namespace: "top" },
    containers: memory.map((m, i) => ({ name: `c${i}`, usage: { cpu: "1m", memory: m } })),
  });
  const taskReading = (largest: string) =>
    taskSchema.parse({
      id: "top",
      title: "t",
      domain: "troubleshooting",
      difficulty: "easy",
      minutes: 5,
      namespace: "top",
      description: "d",
      vars: {
        hungriest: {
          resource: { apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics" },
          field: "metadata.name",
          largest,
        },
      },
      checks: [{ title: "t", file: "a.txt", equals: "{{hungriest}}" }],
      solution: "true",
    });
  const readerOf = (items: unknown[]): ClusterReader => ({
    resource: async () => ({ namespaced: true }),
    list: async () => items as never,
    get: async () => undefined,
  });

  it("sums quantities over a list and compares them across units", async () => {
    const reader = readerOf([
      podMetrics("two-containers", "40Mi", "30Mi"),
      podMetrics("one-big", "0.06Gi"),
      podMetrics("bytes", "70000000"),
    ]);
    const vars = await resolveVars(taskReading("containers[*].usage.memory"), reader, undefined, {});
    // 40Mi + 30Mi = 73,400,320 bytes > 70,000,000 > 0.06Gi = 64,424,509
    expect(vars.hungriest).toBe("two-containers");
  });

  it("sums over every [*] of a path, a list inside a list", async () => {
    const fleet = (name: string, ...groups: string[][]) => ({
      kind: "Fleet",
      metadata: { name },
      groups: groups.map((memory) => ({ pods: memory.map((m) => ({ usage: { memory: m } })) })),
    });
    const reader = readerOf([
      fleet("wide", ["10Mi", "10Mi"], ["10Mi", "10Mi"], ["10Mi"]),
      fleet("deep", ["45Mi"]),
    ]);
    const vars = await resolveVars(taskReading("groups[*].pods[*].usage.memory"), reader, undefined, {});
    // Five 10Mi pods in three groups beat one 45Mi pod only when the inner lists are summed too.
    expect(vars.hungriest).toBe("wide");
  });

  it("leaves a tie unset, naming the tied objects", async () => {
    const reader = readerOf([podMetrics("a", "64Mi"), podMetrics("b", "65536Ki"), podMetrics("c", "1Mi")]);
    const vars = await resolveVars(taskReading("containers[*].usage.memory"), reader, undefined, {});
    expect(vars.hungriest).toBeUndefined();
    expect(unknownVariable("{{hungriest}}", vars)).toBe(
      "{{hungriest}} is not known yet (a and b tie for the largest containers[*].usage.memory)",
    );
  });

  it("leaves it unset when an object has no amount at the path", async () => {
    const reader = readerOf([podMetrics("a", "64Mi"), { kind: "PodMetrics", metadata: { name: "empty" } }]);
    const vars = await resolveVars(taskReading("containers[*].usage.memory"), reader, undefined, {});
    expect(unknownVariable("{{hungriest}}", vars)).toContain(
      "empty has no amount at containers[*].usage.memory",
    );
  });
});
