import { describe, expect, it } from "vitest";
import { evaluate, fetchReads, prepare } from "../../src/engine/cel.js";
import type { ClusterReader, KubeObject } from "../../src/engine/ports.js";

const labels = { app: "web", tier: "front" };
const selects = (selector: unknown) =>
  evaluate("selects(vars.selector, object.metadata.labels)", {
    object: { metadata: { labels } },
    vars: { selector },
  });

describe("cel › selects(labelSelector, labels), as the API server decides it", () => {
  it("an empty selector selects everything; a null one nothing", () => {
    expect(selects({})).toBe(true);
    expect(selects(null)).not.toBe(true);
  });

  it("matchLabels needs every pair", () => {
    expect(selects({ matchLabels: { app: "web" } })).toBe(true);
    expect(selects({ matchLabels: { app: "web", tier: "back" } })).not.toBe(true);
  });

  it("In, NotIn, Exists and DoesNotExist", () => {
    const expression = (operator: string, key: string, values?: string[]) =>
      selects({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
    expect(expression("In", "tier", ["front", "edge"])).toBe(true);
    expect(expression("In", "tier", ["back"])).not.toBe(true);
    expect(expression("In", "missing", ["x"])).not.toBe(true);
    expect(expression("NotIn", "tier", ["back"])).toBe(true);
    expect(expression("NotIn", "missing", ["x"])).toBe(true);
    expect(expression("NotIn", "tier", ["front"])).not.toBe(true);
    expect(expression("Exists", "app")).toBe(true);
    expect(expression("Exists", "missing")).not.toBe(true);
    expect(expression("DoesNotExist", "missing")).toBe(true);
    expect(expression("DoesNotExist", "app")).not.toBe(true);
  });

  it("matchLabels and matchExpressions must both hold", () => {
    const selector = {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["back"] }],
    };
    expect(selects(selector)).not.toBe(true);
  });

  it("a selector the API server would refuse is an error that says why", () => {
    expect(selects({ matchExpressions: [{ key: "tier", operator: "In", values: [] }] })).toMatchObject({
      message: expect.stringContaining("In needs at least one value"),
    });
    expect(selects({ matchExpressions: [{ key: "tier", operator: "Equals", values: ["a"] }] })).toMatchObject(
      {
        message: expect.stringContaining('unknown selector operator "Equals"'),
      },
    );
  });
});

/** A reader over plain objects, enough to show which reads are made and what they return. */
function plainReader(objects: KubeObject[], calls: string[]): ClusterReader {
  const inNamespace = (o: KubeObject, namespace?: string) =>
    !namespace || o.metadata?.namespace === namespace;
  return {
    resource: async (_apiVersion, kind) => ({ namespaced: kind !== "Node" }),
    get: async (_apiVersion, kind, name, namespace) => {
      calls.push(`get ${kind} ${namespace ?? "-"} ${name}`);
      return objects.find((o) => o.kind === kind && o.metadata?.name === name && inNamespace(o, namespace));
    },
    list: async (_apiVersion, kind, namespace) => {
      calls.push(`list ${kind} ${namespace ?? "-"}`);
      return objects.filter((o) => o.kind === kind && inNamespace(o, namespace));
    },
  };
}

describe("cel › cluster.get and cluster.list", () => {
  const objects: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "task" },
      data: { mode: "on" },
    },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "task" } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "b", namespace: "other" } },
    { apiVersion: "v1", kind: "Node", metadata: { name: "worker" } },
  ];

  it("finds the reads in the expression and makes them before it runs", async () => {
    const expr =
      "cluster.get('ConfigMap', vars.cm).data.mode == 'on' && size(cluster.list('Pod')) == 1 && " +
      "size(cluster.list('Pod', '')) == 2 && cluster.get('Pod', 'other', 'b') != null && " +
      "cluster.get('Node', 'worker') != null && cluster.get('Pod', 'gone') == null";
    const vars = { cm: "settings" };
    const calls: string[] = [];
    const reads = await fetchReads(prepare(expr, vars), plainReader(objects, calls), "task");
    expect(calls.sort()).toEqual([
      "get ConfigMap task settings",
      "get Node - worker",
      "get Pod other b",
      "get Pod task gone",
      "list Pod -",
      "list Pod task",
    ]);
    expect(evaluate(expr, { vars }, reads)).toBe(true);
  });

  it("a read that was not prepared fails with the reason instead of reading", () => {
    expect(evaluate("cluster.get('Pod', 'a') != null", {})).toEqual({
      path: "",
      message: 'cluster.get("Pod", "a") was not read: its arguments must be literals or vars',
    });
  });
});
