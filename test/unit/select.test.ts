import { describe, expect, it } from "vitest";
import { isSetExpression, judgeSet, middleKinds, ownedBy } from "../../src/engine/select.js";
import type { Mismatch } from "../../src/model/results.js";
import { mismatchLine } from "../../src/report/reasons.js";

// Shaped like `kubectl get deploy,rs,pod -o json` of a Deployment web (trimmed to the fields that matter).
const owner = (kind: string, name: string, uid: string) => ({ apiVersion: "apps/v1", kind, name, uid });
const deployment = { kind: "Deployment", metadata: { name: "web", uid: "d1" } };
const rsOld = {
  kind: "ReplicaSet",
  metadata: { name: "web-5d4c", uid: "r1", ownerReferences: [owner("Deployment", "web", "d1")] },
};
const rsNew = {
  kind: "ReplicaSet",
  metadata: { name: "web-7f9b", uid: "r2", ownerReferences: [owner("Deployment", "web", "d1")] },
};
const pods = [
  {
    kind: "Pod",
    metadata: { name: "web-5d4c-a", uid: "p1", ownerReferences: [owner("ReplicaSet", "web-5d4c", "r1")] },
  },
  {
    kind: "Pod",
    metadata: { name: "web-7f9b-b", uid: "p2", ownerReferences: [owner("ReplicaSet", "web-7f9b", "r2")] },
  },
  // Same labels a learner might choose, but owned by another ReplicaSet: not web's.
  {
    kind: "Pod",
    metadata: { name: "other-1", uid: "p3", ownerReferences: [owner("ReplicaSet", "other", "r9")] },
  },
  { kind: "Pod", metadata: { name: "bare", uid: "p4" } },
];

describe("ownedBy", () => {
  it("follows ownerReferences through ReplicaSets to the Deployment's pods, by uid", () => {
    const owned = ownedBy(deployment, [rsOld, rsNew, ...pods]);
    expect(owned.map((o) => o.metadata?.name)).toEqual(["web-5d4c", "web-7f9b", "web-5d4c-a", "web-7f9b-b"]);
  });

  it("finds owned objects whatever order the pool is listed in", () => {
    const owned = ownedBy(deployment, [...pods].reverse().concat([rsNew, rsOld]));
    expect(owned.filter((o) => o.kind === "Pod").map((o) => o.metadata?.name)).toEqual([
      "web-7f9b-b",
      "web-5d4c-a",
    ]);
  });

  it("does not follow a name that matches but a uid that does not (a recreated owner)", () => {
    const recreated = { kind: "Deployment", metadata: { name: "web", uid: "d2" } };
    expect(ownedBy(recreated, [rsOld, rsNew, ...pods])).toEqual([]);
  });

  it("direct ownership: a Job's pods", () => {
    const job = { kind: "Job", metadata: { name: "once", uid: "j1" } };
    const pod = { kind: "Pod", metadata: { name: "once-x", ownerReferences: [owner("Job", "once", "j1")] } };
    expect(ownedBy(job, [pod, ...pods])).toEqual([pod]);
  });
});

describe("middleKinds", () => {
  it("lists the kinds between an owner and the kind it owns", () => {
    expect(middleKinds("Deployment", "Pod")).toEqual(["ReplicaSet"]);
    expect(middleKinds("CronJob", "Pod")).toEqual(["Job"]);
    expect(middleKinds("Deployment", "ReplicaSet")).toEqual([]);
    expect(middleKinds("StatefulSet", "Pod")).toEqual([]);
    expect(middleKinds("Job", "Pod")).toEqual([]);
  });
});

describe("judgeSet", () => {
  const m = (path: string): Mismatch => ({ path, found: 1, want: 2 });
  it("all: each object's mismatches under its name", () => {
    expect(judgeSet(["a", "b"], [[], [m("x")]], "all", "Pod").map(mismatchLine)).toEqual([
      "b: x: found 1, want 2",
    ]);
  });

  it("any: passes when one object passes, else lists every object's mismatches", () => {
    expect(judgeSet(["a", "b"], [[], [m("r")]], "any", "Pod")).toEqual([]);
    expect(
      judgeSet(["a", "b"], [[m("r1")], [m("r2")]], "any", "Pod in namespace n").map(mismatchLine),
    ).toEqual(["no Pod in namespace n passes:", "a: r1: found 1, want 2", "b: r2: found 1, want 2"]);
  });

  it("one object: its mismatches without a name", () => {
    expect(judgeSet(["a"], [[m("r")]], "all", "Pod")).toEqual([m("r")]);
  });
});

describe("isSetExpression", () => {
  it("an expect over objects alone is about the set; one that reads object is per object", () => {
    expect(isSetExpression("objects.exists(p, p.spec.podSelector == {})")).toBe(true);
    expect(isSetExpression("object.spec.replicas == 2")).toBe(false);
    expect(isSetExpression("objects.size() == 1 && object.spec.replicas == 2")).toBe(false);
  });
});
