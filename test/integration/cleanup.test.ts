import { afterAll, beforeAll, expect, it } from "vitest";
import { type LoadedTask, loadTask } from "../../src/catalog/load.js";
import { connect } from "../../src/cluster/connect.js";
import { runScript } from "../../src/cluster/shell.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { namespaceContents } from "../../src/engine/cleanup-apply.js";
import { taskLabel } from "../../src/engine/cleanup-plan.js";
import { reset, start, type Target } from "../../src/engine/run.js";
import { verifyTask } from "../../src/engine/verify.js";
import { builtCli } from "../support/cli-main.js";
import { repoRoot } from "./paths.js";

// What reset removes and restores, proven on the real local cluster with the real
// kubectl, through tasks written for these tests (test/fixtures/cleanup-tasks).

let target: Target;

async function fixture(id: string): Promise<LoadedTask> {
  const result = await loadTask(`${repoRoot}test/fixtures/cleanup-tasks/${id}/task.yaml`, expressionChecker);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.loaded;
}

const storageClass = "leak-sc-fast";

beforeAll(async () => {
  target = await connect({ write: true });
});

afterAll(async () => {
  await target.api.delete("storage.k8s.io/v1", "StorageClass", storageClass);
});

it("verify fails a task whose solution leaves a StorageClass, naming it, until cleanup names it", async () => {
  const leaking = await fixture("storageclass-leak");
  const first = await verifyTask(leaking, target, (script) => runScript(script, builtCli));
  expect(first.problems).toEqual([
    `StorageClass ${storageClass} is left after reset: the solution creates it and reset does not remove it — add it to the task's cleanup: { objects: [{ kind: StorageClass, name: ${storageClass} }] }`,
  ]);
  expect(first.passed).toBe(false);
  await target.api.delete("storage.k8s.io/v1", "StorageClass", storageClass);

  const cleanup = { objects: [{ kind: "StorageClass", name: "{{namespace}}-fast" }] };
  const named = { ...leaking, task: { ...leaking.task, cleanup } };
  const second = await verifyTask(named, target, (script) => runScript(script, builtCli));
  expect(second.problems).toEqual([]);
  expect(await target.api.get("storage.k8s.io/v1", "StorageClass", storageClass)).toBeUndefined();
});

it("reset empties the task's namespace of every kind and keeps it, so the next start finds nothing", async () => {
  const loaded = await fixture("storageclass-leak");
  await start(loaded, target);
  const made = await runScript(
    `
    kubectl -n leak-sc create deployment web --image=nginx:1.27 --replicas=2
    kubectl -n leak-sc create configmap settings --from-literal=a=b
    kubectl -n leak-sc create secret generic token --from-literal=t=x
    kubectl -n leak-sc create service clusterip web --tcp=80:80
    kubectl -n leak-sc create role reader --verb=get --resource=pods
    kubectl -n leak-sc create serviceaccount robot
    kubectl -n leak-sc create job once --image=busybox:1.36 -- true
    kubectl label namespace leak-sc team=blue
  `,
    builtCli,
  );
  expect(made.ok, made.output).toBe(true);
  await reset(loaded, target);
  const served = await target.api.servedKinds();
  const left = await namespaceContents("leak-sc", target.api, served);
  expect(left.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([]);
  const namespace = await target.api.get("v1", "Namespace", "leak-sc");
  expect(namespace?.metadata?.labels?.[taskLabel]).toBe("storageclass-leak");
  expect(namespace?.metadata?.labels?.team).toBeUndefined();
});

it("reset puts a node back as it was: setup's label, the learner's taint and cordon", async () => {
  const loaded = await fixture("node-taint-cordon");
  const worker = (await target.api.list("v1", "Node"))
    .map((n) => n.metadata?.name ?? "")
    .filter((n) => n.includes("worker"))
    .sort()[0];
  const before = await target.api.get("v1", "Node", worker ?? "");
  const verification = await verifyTask(loaded, target, (script) => runScript(script, builtCli));
  expect(verification.problems).toEqual([]);
  expect(verification.solved?.earned).toBe(verification.solved?.total);
  const after = await target.api.get("v1", "Node", worker ?? "");
  expect(after?.metadata?.labels).toEqual(before?.metadata?.labels);
  // The node controller removes its own node.kubernetes.io/unschedulable taint in its own time: not ours to compare.
  const ours = (node: typeof after) => ({
    unschedulable: (node?.spec as { unschedulable?: boolean } | undefined)?.unschedulable,
    taints: ((node?.spec as { taints?: { key: string }[] } | undefined)?.taints ?? []).filter(
      (t) => t.key === "maintenance",
    ),
  });
  expect(ours(after)).toEqual(ours(before));
});
