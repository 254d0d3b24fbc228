import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { gradeTask } from "../../src/engine/grade.js";
import type { KubeObject } from "../../src/engine/ports.js";
import { describeTask, reset, start, type Target } from "../../src/engine/run.js";
import { instanceAnnotation } from "../../src/engine/vars.js";
import { FakeCluster, servedKinds } from "../support/fake-cluster.js";

// start draws the instance of a seed and records it on the task's namespace; describe,
// check and reset then work on that instance without being told, as the CLI's commands
// run in separate processes.

const task = taskSchema.parse({
  id: "drawn-pod",
  title: "t",
  domain: "workloads",
  difficulty: "easy",
  minutes: 3,
  namespace: "drawn-pod",
  description: "Run `{{pod}}` on port {{port}} on node {{node}}.",
  vars: {
    pod: { oneOf: ["web", "shop", "blog"] },
    port: { range: { min: 8080, max: 8089 } },
    node: { node: "worker" },
  },
  setup: [
    {
      apply: {
        manifest: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "{{pod}}" },
          spec: {
            nodeName: "{{node}}",
            containers: [{ name: "app", ports: [{ containerPort: "{{port}}" }] }],
          },
        },
      },
    },
  ],
  checks: [
    {
      title: "Pod {{pod}} listens on {{port}}",
      resource: { kind: "Pod", name: "{{pod}}" },
      match: { spec: { containers: [{ name: "app", ports: [{ containerPort: "{{port}}" }] }] } },
    },
  ],
  // The solution's copy, in another namespace: each instance has its own, for reset to delete.
  cleanup: { objects: [{ kind: "ConfigMap", namespace: "elsewhere", name: "{{pod}}-copy" }] },
  solution: "true",
});

const node = (name: string, controlPlane = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {} },
});

describe("an attempt's instance", () => {
  let root: string;
  let cluster: FakeCluster;
  let target: Target;
  const loaded: LoadedTask = { task, dir: "/nowhere", file: "/nowhere/task.yaml" };
  const pods = async () => (await cluster.list("v1", "Pod", "drawn-pod")).map((p) => p.metadata?.name);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "kubedrill-instance-"));
    vi.stubEnv("KUBEDRILL_ANSWERS", root);
    cluster = new FakeCluster(servedKinds);
    cluster.objects.push(
      node("kubedrill-control-plane", true),
      node("kubedrill-worker"),
      node("kubedrill-worker2"),
    );
    target = { api: cluster, context: "fake" };
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it("is the seed's, recorded on the namespace, and a drawn number stays a number in the manifest", async () => {
    await start(loaded, target, "max");
    const ns = await cluster.get("v1", "Namespace", "drawn-pod");
    expect(JSON.parse(ns?.metadata?.annotations?.[instanceAnnotation] ?? "")).toEqual({
      seed: "max",
      values: { pod: "blog", port: 8089, node: "kubedrill-worker2" },
    });
    const pod = await cluster.get("v1", "Pod", "blog", "drawn-pod");
    expect(pod?.spec).toMatchObject({
      nodeName: "kubedrill-worker2",
      containers: [{ ports: [{ containerPort: 8089 }] }],
    });
  });

  it("is what describe shows and check grades, without being told the seed", async () => {
    await start(loaded, target, "max");
    expect(await describeTask(loaded, target)).toContain(
      "Run `blog` on port 8089 on node kubedrill-worker2.",
    );
    const result = await gradeTask(loaded, { cluster });
    expect(result).toMatchObject({
      seed: "max",
      passed: true,
      checks: [{ title: "Pod blog listens on 8089" }],
    });
  });

  it("is drawn anew by each start without a seed, and repeated by the same seed", async () => {
    await start(loaded, target, "s1");
    const first = await pods();
    await start(loaded, target, "s1");
    expect(await pods()).toEqual(first);
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 12; i++) {
      await start(loaded, target);
      seen.add((await pods())[0]);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("is what reset undoes; a start of another instance first undoes the one before", async () => {
    await start(loaded, target, "max");
    await cluster.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "blog-copy", namespace: "elsewhere" },
    });
    await start(loaded, target, "min");
    expect(await cluster.get("v1", "ConfigMap", "blog-copy", "elsewhere")).toBeUndefined();
    expect(await pods()).toEqual(["web"]);
    await cluster.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web-copy", namespace: "elsewhere" },
    });
    await reset(loaded, target);
    expect(await cluster.get("v1", "ConfigMap", "web-copy", "elsewhere")).toBeUndefined();
    expect(await pods()).toEqual([]);
  });

  it("is forgotten by reset: no attempt is left, so check grades the min instance", async () => {
    await start(loaded, target, "max");
    await reset(loaded, target);
    const ns = await cluster.get("v1", "Namespace", "drawn-pod");
    expect(ns?.metadata?.annotations?.[instanceAnnotation]).toBeUndefined();
    expect(await gradeTask(loaded, { cluster })).toMatchObject({ seed: "min" });
  });

  it("is the min instance for a task never started", async () => {
    const result = await gradeTask(loaded, { cluster });
    expect(result).toMatchObject({ seed: "min", checks: [{ title: "Pod web listens on 8080" }] });
  });
});
