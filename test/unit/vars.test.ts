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
