import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { taskSchema } from "../../src/catalog/schema.js";
import { cleanupPlan, describeAction, type Observed, resetActions } from "../../src/engine/cleanup-plan.js";
import {
  restoreCommands,
  type ServiceState,
  serviceMismatches,
  stepCommands,
} from "../../src/engine/node-service.js";
import type { KubeObject } from "../../src/engine/ports.js";
import { servedKinds } from "../support/fake-cluster.js";

// The state of a node service as systemd 252 answers `systemctl is-active` / `is-enabled`;
// the commands themselves are proved on the local cluster (test/integration/node-service.test.ts).

const worker = "kubedrill-worker";
const vars = { worker, namespace: "svc", taskId: "svc-task" };
const running: ServiceState = { active: "active", enabled: "enabled" };
const stoppedDisabled: ServiceState = { active: "inactive", enabled: "disabled" };

const task = taskSchema.parse({
  id: "svc-task",
  title: "t",
  domain: "troubleshooting",
  difficulty: "easy",
  minutes: 5,
  namespace: "svc",
  requires: ["node-services"],
  description: "d",
  setup: [
    { systemctl: { node: "{{worker}}", unit: "kubelet", enabled: false, state: "stopped" } },
    { systemctl: { node: "{{worker}}", unit: "kubelet", state: "restarted" } },
  ],
  checks: [{ title: "t", nodeService: { node: "{{worker}}", unit: "kubelet" }, enabled: true }],
  solution: "true",
});

// The local cluster's worker as `kubectl get nodes -o json` printed it, and as the node
// controller marks it once its kubelet stops posting status.
const readyWorker = (
  JSON.parse(readFileSync(new URL("../fixtures/local-nodes.json", import.meta.url), "utf8")) as {
    items: KubeObject[];
  }
).items.find((n) => n.metadata?.name === worker) as KubeObject;
const conditions = (readyWorker.status as { conditions: { type: string }[] }).conditions;
const unknownWorker: KubeObject = {
  ...readyWorker,
  status: {
    ...(readyWorker.status as object),
    conditions: conditions.map((c) =>
      c.type === "Ready"
        ? {
            ...c,
            status: "Unknown",
            reason: "NodeStatusUnknown",
            message: "Kubelet stopped posting node status.",
          }
        : c,
    ),
  },
};

const observed = (services: (ServiceState | undefined)[], node = readyWorker): Observed => ({
  nodes: [node],
  files: [],
  objects: [],
  contents: [],
  volumes: [],
  fieldObjects: [],
  services,
});

describe("setup step systemctl", () => {
  it("runs enable or disable first, then start, stop or restart, as a learner types them", () => {
    expect(stepCommands({ node: worker, unit: "kubelet", enabled: false, state: "stopped" })).toEqual([
      ["systemctl", "disable", "kubelet"],
      ["systemctl", "stop", "kubelet"],
    ]);
    expect(stepCommands({ node: worker, unit: "containerd", state: "restarted" })).toEqual([
      ["systemctl", "restart", "containerd"],
    ]);
  });

  it("puts each unit it touches in the cleanup plan once, with its node filled in", () => {
    expect(cleanupPlan(task, vars, [], servedKinds).services).toEqual([{ node: worker, unit: "kubelet" }]);
  });
});

describe("reset of node services", () => {
  const plan = cleanupPlan(task, vars, [], servedKinds);
  const record = (active: boolean, enabled: boolean, nodeReady = active) => ({
    files: [],
    nodes: {},
    services: [{ node: worker, unit: "kubelet" as const, active, enabled, nodeReady }],
  });

  it("enables and starts a unit that was running and enabled before start", () => {
    const actions = resetActions(plan, record(true, true), observed([stoppedDisabled]));
    expect(actions).toEqual([
      {
        do: "systemctl",
        node: worker,
        unit: "kubelet",
        commands: [
          ["systemctl", "enable", "kubelet"],
          ["systemctl", "start", "kubelet"],
        ],
        what: ["is inactive (want active)", "is disabled (want enabled)"],
      },
    ]);
    expect(describeAction(actions[0] as never)).toBe(
      "kubelet on node kubedrill-worker is inactive (want active) and is disabled (want enabled)",
    );
  });

  it("has nothing to do when the unit is as it was, and leaves a unit that was stopped before stopped", () => {
    expect(resetActions(plan, record(true, true), observed([running]))).toEqual([]);
    expect(resetActions(plan, record(false, false), observed([stoppedDisabled]))).toEqual([]);
  });

  it("without a record brings the unit back active and enabled, as a practice cluster's kubelet is", () => {
    const [action] = resetActions(plan, undefined, observed([{ active: "failed", enabled: "enabled" }]));
    expect(action).toMatchObject({ do: "systemctl", commands: [["systemctl", "start", "kubelet"]] });
  });

  it("does nothing for a unit it could not read (no node access)", () => {
    expect(resetActions(plan, record(true, true), observed([undefined]))).toEqual([]);
  });

  it("waits, once the unit runs as before, for its node to be Ready again as it was before start", () => {
    const actions = resetActions(plan, record(true, true), observed([running], unknownWorker));
    expect(actions).toEqual([{ do: "await-node-ready", node: worker, unit: "kubelet" }]);
    expect(describeAction(actions[0] as never)).toBe(
      "node kubedrill-worker is not Ready yet (kubelet runs as before start)",
    );
    expect(resetActions(plan, undefined, observed([running], unknownWorker))).toEqual(actions);
    expect(resetActions(plan, record(true, true, false), observed([running], unknownWorker))).toEqual([]);
  });

  it("a restart alone is undone by nothing: the unit runs, as before", () => {
    expect(restoreCommands("kubelet", running, { active: true, enabled: true })).toEqual([]);
  });
});

describe("check nodeService", () => {
  it("says what systemctl answered and what was wanted, for each of active and enabled asked", () => {
    const unit = { node: worker, unit: "kubelet" as const };
    expect(
      serviceMismatches(unit, { active: "active", enabled: "disabled" }, { active: true, enabled: true }),
    ).toEqual([
      { path: "kubedrill-worker: systemctl is-enabled kubelet", found: "disabled", want: "enabled" },
    ]);
    expect(serviceMismatches(unit, stoppedDisabled, { active: true })).toEqual([
      { path: "kubedrill-worker: systemctl is-active kubelet", found: "inactive", want: "active" },
    ]);
    expect(serviceMismatches(unit, running, { active: false })).toEqual([
      { path: "kubedrill-worker: systemctl is-active kubelet", found: "active", want: "not active" },
    ]);
  });
});
