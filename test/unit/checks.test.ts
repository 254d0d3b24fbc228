import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { runChecks } from "../../src/engine/checks.js";
import type { ClusterReader, KubeObject } from "../../src/engine/ports.js";

/** Plain objects in place of the API, counting reads. */
function snapshotOf(objects: KubeObject[]) {
  const reads: string[] = [];
  const reader: ClusterReader = {
    resource: async () => ({ namespaced: true }),
    list: async (_v, kind) => {
      reads.push(`list ${kind}`);
      return objects.filter((o) => o.kind === kind);
    },
    get: async (_v, kind, name) => {
      reads.push(`get ${kind}/${name}`);
      return objects.find((o) => o.kind === kind && o.metadata?.name === name);
    },
  };
  return { reader, reads };
}

const task = (checks: Task["checks"]): Task => ({ id: "t", namespace: "ns", checks }) as unknown as Task;

describe("runChecks", () => {
  it("names the missing variable of a resource check and reads nothing for it", async () => {
    const { reader, reads } = snapshotOf([]);
    const [result] = await runChecks(
      task([{ title: "Its node is labeled", points: 2, resource: { kind: "Node", name: "{{podNode}}" } }]),
      { cluster: reader, vars: {}, uids: {} },
    );
    expect(result?.passed).toBe(false);
    expect(result?.reasons).toEqual([
      "Node {{podNode}}: {{podNode}} is not known yet (the object it is read from is missing)",
    ]);
    expect(reads).toEqual([]);
  });

  it("checks of one kind in one namespace share one LIST", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, status: { phase: "Running" } };
    const { reader, reads } = snapshotOf([pod]);
    const results = await runChecks(
      task([
        { title: "web exists", points: 1, resource: { kind: "Pod", name: "web" } },
        {
          title: "web runs",
          points: 1,
          resource: { kind: "Pod", name: "web" },
          expect: 'object.status.phase == "Running"',
        },
      ]),
      { cluster: reader, vars: {}, uids: {} },
    );
    expect(results.map((r) => r.earned)).toEqual([1, 1]);
    expect(reads).toEqual(["list Pod"]);
  });
});
