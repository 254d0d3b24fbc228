import { beforeAll, expect, it, onTestFinished } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { connect } from "../../src/cluster/connect.js";
import { gradeTask } from "../../src/engine/grade.js";
import { reset, start, type Target } from "../../src/engine/run.js";
import { planTask } from "../../src/engine/setup.js";
import { leftovers } from "../../src/engine/verify.js";

// The systemctl setup step and the nodeService check, on the local cluster's simulated systemctl through
// node access, as on kind's real one through docker exec. containerd on the second worker:
// nothing in the local cluster runs from its state, so other tests on this cluster are
// not disturbed (a stopped kubelet would make its node NotReady).

const node = "kubedrill-worker2";
let target: Target;

const task = taskSchema.parse({
  id: "service-drill",
  title: "A node service stopped and disabled by setup",
  domain: "troubleshooting",
  difficulty: "easy",
  minutes: 5,
  namespace: "service-drill",
  requires: ["node-services"],
  description: "d",
  setup: [{ systemctl: { node, unit: "containerd", enabled: false, state: "stopped" } }],
  checks: [
    { title: "containerd runs", nodeService: { node, unit: "containerd" }, active: true },
    { title: "containerd starts at boot", nodeService: { node, unit: "containerd" }, enabled: true },
  ],
  solution: "true",
});
const loaded: LoadedTask = { task, dir: "/nonexistent", file: "/nonexistent/task.yaml" };
const systemctl = (...argv: string[]) => target.nodes?.exec(node, ["systemctl", ...argv]);

beforeAll(async () => {
  target = await connect({ write: true });
});

it("setup runs systemctl on the node, the check reads what it answers, reset puts the unit back as it was", async () => {
  onTestFinished(() => reset(loaded, target));
  await start(loaded, target);
  expect((await systemctl("is-active", "containerd"))?.stdout.trim()).toBe("inactive");
  expect((await systemctl("is-enabled", "containerd"))?.stdout.trim()).toBe("disabled");

  const unsolved = await gradeTask(loaded, { cluster: target.api, nodes: target.nodes });
  expect(unsolved.checks.map((c) => c.mismatches)).toEqual([
    [{ path: `${node}: systemctl is-active containerd`, found: "inactive", want: "active" }],
    [{ path: `${node}: systemctl is-enabled containerd`, found: "disabled", want: "enabled" }],
  ]);
  // Half a fix: started, not enabled.
  await systemctl("start", "containerd");
  const half = await gradeTask(loaded, { cluster: target.api, nodes: target.nodes });
  expect(half.checks.map((c) => c.passed)).toEqual([true, false]);

  await reset(loaded, target);
  expect((await systemctl("is-active", "containerd"))?.exitCode).toBe(0);
  expect((await systemctl("is-enabled", "containerd"))?.stdout.trim()).toBe("enabled");
  const { plan } = await planTask(loaded, {
    cluster: target.api,
    nodes: target.nodes,
    vars: { worker: node },
  });
  const namespace = await target.api.get("v1", "Namespace", task.namespace);
  const record = JSON.parse(namespace?.metadata?.annotations?.["kubedrill.dev/before-start"] ?? "{}");
  expect(record.services).toEqual([
    { node, unit: "containerd", active: true, enabled: true, nodeReady: true },
  ]);
  expect(await leftovers(plan, record, { cluster: target.api, nodes: target.nodes })).toEqual([]);
});
