import { describe, expect, it } from "vitest";
import { drawInstance, parsePattern, seedProblem } from "../../src/catalog/instance.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { fill, fillManifest } from "../../src/model/template.js";

const task = taskSchema.parse({
  id: "drawn",
  title: "t",
  domain: "workloads",
  difficulty: "easy",
  minutes: 3,
  namespace: "drawn",
  description: "{{pod}} {{image}} {{port}} {{replicas}} {{suffix}} {{node}}",
  vars: {
    pod: { oneOf: ["web", "shop", "blog"] },
    image: { oneOf: ["nginx:1.27", "httpd:2.4", "redis:7.2", "memcached:1.6"] },
    port: { range: { min: 8000, max: 8099 } },
    replicas: { range: { min: 2, max: 10, step: 2 } },
    suffix: { pattern: "web-[a-c]{2,4}[0-9]" },
    node: { node: "worker" },
    // Read from the cluster: never drawn.
    podIP: { resource: { kind: "Pod", name: "{{pod}}" }, field: "status.podIP" },
  },
  checks: [{ title: "t", resource: { kind: "Pod", name: "{{pod}}" } }],
  solution: "true",
});
const context = { workers: ["kubedrill-worker", "kubedrill-worker2", "kubedrill-worker3"] };
const seeds = Array.from({ length: 500 }, (_, i) => `s${i.toString(16)}`);

describe("drawn variables › an instance", () => {
  it("is the same for the same seed, and differs between seeds", () => {
    expect(drawInstance(task, "3fa2c1", context)).toEqual(drawInstance(task, "3fa2c1", context));
    const distinct = new Set(seeds.map((seed) => JSON.stringify(drawInstance(task, seed, context).values)));
    expect(distinct.size).toBeGreaterThan(490);
  });

  it("draws only the drawn variables, each within its set or range, over many seeds", () => {
    for (const seed of seeds) {
      const { values } = drawInstance(task, seed, context);
      expect(Object.keys(values).sort()).toEqual(["image", "node", "pod", "port", "replicas", "suffix"]);
      expect(["web", "shop", "blog"]).toContain(values.pod);
      expect(["nginx:1.27", "httpd:2.4", "redis:7.2", "memcached:1.6"]).toContain(values.image);
      expect(values.port).toBeGreaterThanOrEqual(8000);
      expect(values.port).toBeLessThanOrEqual(8099);
      expect(Number.isInteger(values.port)).toBe(true);
      expect([2, 4, 6, 8, 10]).toContain(values.replicas);
      expect(values.suffix).toMatch(/^web-[a-c]{2,4}[0-9]$/);
      expect(context.workers).toContain(values.node);
    }
  });

  it("reaches every choice and both ends of every range", () => {
    const drawn = seeds.map((seed) => drawInstance(task, seed, context).values);
    expect(new Set(drawn.map((v) => v.pod))).toEqual(new Set(["web", "shop", "blog"]));
    expect(new Set(drawn.map((v) => v.replicas))).toEqual(new Set([2, 4, 6, 8, 10]));
    expect(new Set(drawn.map((v) => v.node)).size).toBe(3);
    const lengths = new Set(drawn.map((v) => String(v.suffix).length));
    expect(lengths).toEqual(new Set([7, 8, 9]));
  });

  it("is at the extremes for the seeds min and max", () => {
    expect(drawInstance(task, "min", context).values).toEqual({
      pod: "web",
      image: "nginx:1.27",
      port: 8000,
      replicas: 2,
      suffix: "web-aa0",
      node: "kubedrill-worker",
    });
    expect(drawInstance(task, "max", context).values).toEqual({
      pod: "blog",
      image: "memcached:1.6",
      port: 8099,
      replicas: 10,
      suffix: "web-cccc9",
      node: "kubedrill-worker3",
    });
  });

  it("keeps a variable's value when another variable is added to the task", () => {
    const more = { ...task, vars: { ...task.vars, tier: { oneOf: ["front", "back"] } } };
    for (const seed of seeds.slice(0, 50)) {
      const { tier: _, ...values } = drawInstance(more, seed, context).values;
      expect(values).toEqual(drawInstance(task, seed, context).values);
    }
  });
});

describe("drawn variables › patterns", () => {
  it("are literal characters and classes with counts", () => {
    expect(parsePattern("a\\.b[x-z0]{2}")).toEqual([
      { chars: "a", min: 1, max: 1 },
      { chars: ".", min: 1, max: 1 },
      { chars: "b", min: 1, max: 1 },
      { chars: "0xyz", min: 2, max: 2 },
    ]);
  });

  it("say why a pattern cannot be drawn from", () => {
    expect(parsePattern("web-(a|b)")).toEqual({
      problem: '"(" at 5 is not drawable: use literal characters and [classes] with {counts}',
    });
    expect(parsePattern("[a-z")).toEqual({ problem: "the class at 1 has no closing ]" });
    expect(parsePattern("[z-a]")).toEqual({ problem: "the range z-a runs backwards" });
    expect(parsePattern("[a-z]{3,1}")).toMatchObject({ problem: expect.stringContaining("m ≤ n ≤ 20") });
  });
});

describe("drawn variables › seeds", () => {
  it("are short words: min, max, or hex from start", () => {
    expect(seedProblem("min")).toBeUndefined();
    expect(seedProblem("3fa2c1")).toBeUndefined();
    expect(seedProblem("a b")).toMatch(/^a seed is 1 to 40 letters/);
    expect(seedProblem("")).toMatch(/^a seed is/);
  });
});

describe("drawn variables › filling", () => {
  const vars = { port: 8080, pod: "web", tier: "2" };

  it("makes text of every value in text", () => {
    expect(fill({ a: "{{port}}", b: "{{pod}}:{{port}}" }, vars)).toEqual({ a: "8080", b: "web:8080" });
  });

  it("keeps a drawn number a number where a manifest value is exactly its placeholder", () => {
    expect(
      fillManifest(
        { containerPort: "{{port}}", name: "{{pod}}-{{port}}", labels: { tier: "{{tier}}" } },
        vars,
      ),
    ).toEqual({ containerPort: 8080, name: "web-8080", labels: { tier: "2" } });
  });
});
