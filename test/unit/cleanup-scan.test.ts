import { describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { cleanupPlan, taskLabel } from "../../src/engine/cleanup-plan.js";
import { isGoing, leftBehind, leftoverProblem, othersObjects } from "../../src/engine/cleanup-scan.js";
import type { KubeObject } from "../../src/engine/ports.js";

const task = taskSchema.parse({
  id: "sc-task",
  title: "t",
  domain: "storage",
  difficulty: "easy",
  minutes: 1,
  namespace: "sc-ns",
  description: "d",
  checks: [{ title: "t", resource: { kind: "Pod", name: "p" } }],
  solution: "true",
});
const plan = cleanupPlan(task, {}, [], []);
const object = (apiVersion: string, kind: string, name: string, more: object = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
  ...more,
});
const standard = object("storage.k8s.io/v1", "StorageClass", "standard");

describe("cluster-scoped leftovers", () => {
  it("names what is new after reset, and not what was there before start", () => {
    const fast = object("storage.k8s.io/v1", "StorageClass", "fast");
    expect(leftBehind(plan, [standard], [standard, fast])).toEqual([fast]);
  });

  it("leaves out the task's own namespace, another task's labeled objects and volumes, and kubelets' certificate requests", () => {
    const after = [
      object("v1", "Namespace", "sc-ns"),
      object("scheduling.k8s.io/v1", "PriorityClass", "other", {
        metadata: { name: "other", labels: { [taskLabel]: "another-task" } },
      }),
      object("certificates.k8s.io/v1", "CertificateSigningRequest", "csr-x", {
        spec: { username: "system:node:kubedrill-worker" },
      }),
      object("v1", "PersistentVolume", "pvc-1", {
        spec: { claimRef: { namespace: "other-ns", name: "data" } },
      }),
    ];
    expect(leftBehind(plan, [], after)).toEqual([]);
  });

  it("counts a volume bound to a claim in the task's namespace, or to none", () => {
    const ours = object("v1", "PersistentVolume", "pvc-2", {
      spec: { claimRef: { namespace: "sc-ns", name: "d" } },
    });
    const unbound = object("v1", "PersistentVolume", "pv-free", { spec: {} });
    expect(leftBehind(plan, [], [ours, unbound])).toEqual([ours, unbound]);
  });

  it("counts a learner's certificate request and another namespace", () => {
    const csr = object("certificates.k8s.io/v1", "CertificateSigningRequest", "alice", {
      spec: { username: "kubernetes-admin" },
    });
    const ns = object("v1", "Namespace", "elsewhere");
    expect(leftBehind(plan, [], [csr, ns])).toEqual([csr, ns]);
  });

  it("leaves out what a task proved at the same time names in its cleanup, but not what this task names", () => {
    const withObjects = (id: string, objects: { kind: string; name: string }[]) =>
      ({ task: { ...task, id, cleanup: { objects } }, dir: "", file: "" }) as unknown as LoadedTask;
    const self = withObjects("sc-task", [{ kind: "StorageClass", name: "mine" }]);
    const other = withObjects("crd-task", [
      { kind: "CustomResourceDefinition", name: "backups.example.com" },
    ]);
    const theirs = othersObjects(self, [self, other]);
    const crd = object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "backups.example.com");
    const mine = object("storage.k8s.io/v1", "StorageClass", "mine");
    expect(leftBehind(plan, [], [crd, mine], theirs)).toEqual([mine]);
  });

  it("leaves out every name another task's cleanup takes over its drawn instances", () => {
    const self = { task: { ...task, id: "pvc-task" }, dir: "", file: "" } as unknown as LoadedTask;
    const other = {
      task: {
        ...task,
        id: "csr-task",
        vars: { user: { oneOf: ["jane", "omar"] }, n: { range: { min: 1, max: 5, step: 2 } } },
        cleanup: { objects: [{ kind: "CertificateSigningRequest", name: "{{user}}-{{n}}" }] },
      },
      dir: "",
      file: "",
    } as unknown as LoadedTask;
    const theirs = othersObjects(self, [self, other]);
    const csr = (name: string) => object("certificates.k8s.io/v1", "CertificateSigningRequest", name);
    const after = [csr("jane-1"), csr("omar-5"), csr("omar-3"), csr("lena-1"), csr("jane-2")];
    expect(leftBehind(plan, [], after, theirs)).toEqual([csr("lena-1"), csr("jane-2")]);
  });

  it("says what to add to cleanup", () => {
    expect(leftoverProblem(object("storage.k8s.io/v1", "StorageClass", "fast"))).toBe(
      "StorageClass fast is left after reset: the solution creates it and reset does not remove it — add it to the task's cleanup: { objects: [{ kind: StorageClass, name: fast }] }",
    );
    expect(leftoverProblem(object("example.com/v1", "Widget", "w"))).toContain(
      "{ kind: Widget, name: w, apiVersion: example.com/v1 }",
    );
  });

  it("waits only for what is going away by itself", () => {
    expect(isGoing(standard)).toBe(false);
    expect(isGoing(object("v1", "Namespace", "x", { metadata: { name: "x", deletionTimestamp: "t" } }))).toBe(
      true,
    );
    const released = { spec: { persistentVolumeReclaimPolicy: "Delete" }, status: { phase: "Released" } };
    expect(isGoing(object("v1", "PersistentVolume", "pv", released))).toBe(true);
    const retained = { spec: { persistentVolumeReclaimPolicy: "Retain" }, status: { phase: "Released" } };
    expect(isGoing(object("v1", "PersistentVolume", "pv", retained))).toBe(false);
  });
});
