import { describe, expect, it } from "vitest";
import type { LoadedTask } from "../../../src/catalog/load.js";
import type { ExamRecord } from "../../../src/session/history.js";
import {
  competencyProgress,
  domainProgress,
  examSummary,
  nextTasks,
  passedTasks,
  weakestDomain,
} from "../../../src/session/progress.js";
import { renderProgress } from "../../../src/session/render.js";
import { fakeTask, graded, seedShaped } from "./fixtures.js";

const [redis, pending, infra, staticPod, nginx] = seedShaped as [
  (typeof seedShaped)[number],
  (typeof seedShaped)[number],
  (typeof seedShaped)[number],
  (typeof seedShaped)[number],
  (typeof seedShaped)[number],
];

const row = (records: Parameters<typeof domainProgress>[0], domain: string) =>
  domainProgress(records).find((r) => r.domain === domain);

describe("progress", () => {
  it("counts the checks of one practice attempt as one attempt, passed at its first unassisted pass", () => {
    const records = [
      graded(redis, { attempt: "a1", durationMs: 60_000 }),
      graded(redis, { attempt: "a1", durationMs: 150_000, passed: true }),
      graded(redis, { attempt: "a1", durationMs: 200_000, passed: true }),
      graded(pending, { attempt: "a2", durationMs: 90_000 }),
    ];
    expect(row(records, "troubleshooting")).toEqual({
      domain: "troubleshooting",
      attempts: 2,
      passed: 1,
      passRate: 0.5,
      bestTimeMs: 150_000,
      assisted: 0,
      earlier: { attempts: 1, passed: 1, passRate: 1 },
      recent: { attempts: 1, passed: 0, passRate: 0 },
    });
  });

  it("does not count a pass after the solution was shown, and reports the attempt as assisted", () => {
    const records = [graded(infra, { attempt: "b1", assisted: true, passed: true, durationMs: 30_000 })];
    expect(row(records, "architecture")).toMatchObject({ attempts: 1, passed: 0, passRate: 0, assisted: 1 });
    expect(row(records, "architecture")?.bestTimeMs).toBeUndefined();
    expect(passedTasks(records).has(infra.task.id)).toBe(false);
  });

  it("counts each grade without an attempt id (a one-off check) and each exam task as its own attempt", () => {
    const records = [
      graded(nginx, { source: "check", passed: true }),
      graded(nginx, { source: "check" }),
      graded(nginx, { source: "exam", attempt: "exam-1", passed: true, durationMs: undefined }),
    ];
    expect(row(records, "workloads")).toMatchObject({ attempts: 3, passed: 2, bestTimeMs: 120_000 });
  });

  it("lists every CKA domain heaviest first, untried ones without a rate", () => {
    const rows = domainProgress([]);
    expect(rows.map((r) => r.domain)).toEqual([
      "troubleshooting",
      "architecture",
      "networking",
      "workloads",
      "storage",
    ]);
    expect(rows.every((r) => r.attempts === 0 && r.passRate === undefined)).toBe(true);
  });

  it("names the tried domain with the lowest pass rate as the weakest, ties going to the heavier domain", () => {
    const records = [
      graded(redis, { attempt: "1", passed: true }),
      graded(pending, { attempt: "2" }),
      graded(infra, { attempt: "3" }),
      graded(staticPod, { attempt: "4", passed: true }),
      graded(nginx, { attempt: "5", passed: true }),
    ];
    expect(weakestDomain(domainProgress(records))).toBe("troubleshooting");
    expect(weakestDomain(domainProgress([...records, graded(infra, { attempt: "6" })]))).toBe("architecture");
    expect(weakestDomain(domainProgress([]))).toBeUndefined();
  });

  it("renders a table with rate, trend and best time, says what the trend is, and names the weakest domain", () => {
    const records = [
      graded(redis, { attempt: "1", passed: true, durationMs: 75_000 }),
      graded(infra, { attempt: "2" }),
    ];
    const rows = domainProgress(records);
    const text = renderProgress({
      domains: rows,
      competencies: competencyProgress(records, seedShaped),
      weakest: weakestDomain(rows),
      next: nextTasks(seedShaped, records),
      exams: examSummary(records),
    });
    expect(text).toContain("EARLIER and RECENT: the older and the newer half of each row's attempts");
    expect(text).toMatch(/^troubleshooting\s+1\s+1\s+100%\s+-\s+100%\s+1m 15s\s+0$/m);
    expect(text).toMatch(/^architecture\s+1\s+0\s+0%\s+-\s+0%\s+-\s+0$/m);
    expect(text).toContain("Weakest domain: architecture.");
    expect(text).toMatch(/^ {2}1\. kubedrill start static-pod {2}\(Title of static-pod\)$/m);
  });

  it("summarises mock exams: taken, passed, best and last", () => {
    const exam = (percent: number, late = false): ExamRecord => ({
      type: "exam",
      at: "2026-01-05T10:00:00Z",
      exam: `e${percent}`,
      seed: "s",
      tasks: [],
      earned: percent,
      total: 100,
      percent,
      passMark: 66,
      passed: percent >= 66,
      late,
      durationMs: 1,
    });
    expect(examSummary([exam(70), exam(81.5), exam(50, true)])).toEqual({
      taken: 3,
      passed: 2,
      bestPercent: 81.5,
      last: { at: "2026-01-05T10:00:00Z", percent: 50, passed: false, late: true },
    });
  });
});

describe("pass rates over time", () => {
  it("splits each row's attempts into the older and the newer half, the newer taking the odd one", () => {
    const results = [false, false, true, false, true];
    const records = results.map((passed, i) => graded(redis, { attempt: `t${i}`, passed }));
    expect(row(records, "troubleshooting")).toMatchObject({
      attempts: 5,
      passed: 2,
      earlier: { attempts: 2, passed: 0, passRate: 0 },
      recent: { attempts: 3, passed: 2, passRate: 2 / 3 },
    });
  });

  it("counts per competency, as the catalog names them, in curriculum order", () => {
    const catalog = [
      fakeTask("rbac-reader", "architecture", { competency: "rbac" }),
      fakeTask("rbac-binder", "architecture", { competency: "rbac" }),
      fakeTask("etcd-backup", "architecture", { competency: "cluster-lifecycle" }),
      fakeTask("node-notready", "troubleshooting", { competency: "clusters-nodes" }),
    ];
    const [reader, binder, , node] = catalog as [LoadedTask, LoadedTask, LoadedTask, LoadedTask];
    const records = [
      graded(reader, { attempt: "1" }),
      graded(binder, { attempt: "2", passed: true }),
      graded(node, { attempt: "3", passed: true }),
      // A task no longer in the catalog counts for its domain only.
      graded(fakeTask("gone", "architecture"), { attempt: "4" }),
    ];
    expect(competencyProgress(records, catalog)).toEqual([
      {
        domain: "troubleshooting",
        competency: "clusters-nodes",
        title: "Troubleshoot clusters and nodes",
        tasks: 1,
        attempts: 1,
        passed: 1,
        passRate: 1,
        earlier: { attempts: 0, passed: 0 },
        recent: { attempts: 1, passed: 1, passRate: 1 },
      },
      {
        domain: "architecture",
        competency: "rbac",
        title: "Manage role based access control (RBAC)",
        tasks: 2,
        attempts: 2,
        passed: 1,
        passRate: 0.5,
        earlier: { attempts: 1, passed: 0, passRate: 0 },
        recent: { attempts: 1, passed: 1, passRate: 1 },
      },
      {
        domain: "architecture",
        competency: "cluster-lifecycle",
        title: "Manage the lifecycle of Kubernetes clusters",
        tasks: 1,
        attempts: 0,
        passed: 0,
        earlier: { attempts: 0, passed: 0 },
        recent: { attempts: 0, passed: 0 },
      },
    ]);
    expect(row(records, "architecture")).toMatchObject({ attempts: 3, passed: 1 });
  });
});

describe("nextTasks", () => {
  const catalog = [
    fakeTask("rbac-reader", "architecture", { competency: "rbac" }),
    fakeTask("rbac-binder", "architecture", { competency: "rbac", difficulty: "medium" }),
    fakeTask("rbac-aggregate", "architecture", { competency: "rbac", difficulty: "hard" }),
    fakeTask("etcd-backup", "architecture", { competency: "cluster-lifecycle" }),
    fakeTask("node-notready", "troubleshooting", { competency: "clusters-nodes" }),
    fakeTask("logs-sidecar", "troubleshooting", { competency: "container-output" }),
    fakeTask("pvc-bind", "storage", { competency: "pv-pvc" }),
  ];
  const task = (id: string) => catalog.find((t) => t.task.id === id) as LoadedTask;
  const ids = (next: ReturnType<typeof nextTasks>) => next.map((n) => n.loaded.task.id);

  it("with no history: one task per competency, the heaviest domain's first, in curriculum order", () => {
    expect(ids(nextTasks(catalog, []))).toEqual(["node-notready", "logs-sidecar", "rbac-reader"]);
  });

  it("puts the competency failed most recently first, then untried ones; a task not yet tried before one tried", () => {
    const records = [
      graded(task("node-notready"), { attempt: "1", passed: true }),
      graded(task("logs-sidecar"), { attempt: "2", passed: true }),
      graded(task("rbac-reader"), { attempt: "3" }),
      graded(task("rbac-reader"), { attempt: "4" }),
    ];
    const next = nextTasks(catalog, records);
    // rbac: 0% recently, the weakest; then the untried competencies, the heavier domain first.
    expect(ids(next)).toEqual(["rbac-binder", "etcd-backup", "pvc-bind"]);
    expect(next[0]).toMatchObject({ tried: 0, competency: { attempts: 1, passed: 0, passRate: 0 } });
    expect(next[1]).toMatchObject({ tried: 0, competency: { attempts: 0, passed: 0 } });
  });

  it("ranks by the recent rate: a competency that failed before and passes now is no longer weak", () => {
    const records = [
      graded(task("node-notready"), { attempt: "1" }),
      graded(task("node-notready"), { attempt: "2", passed: true }),
      graded(task("rbac-reader"), { attempt: "3", passed: true }),
      graded(task("rbac-reader"), { attempt: "4", passed: true }),
      graded(task("rbac-reader"), { attempt: "5" }),
      graded(task("logs-sidecar"), { attempt: "6", passed: true }),
      graded(task("etcd-backup"), { attempt: "7", passed: true }),
      graded(task("pvc-bind"), { attempt: "8", passed: true }),
    ];
    // Over all attempts clusters-nodes (50%) is below rbac (67%); over the newer half rbac (50%) is below it (100%).
    expect(ids(nextTasks(catalog, records))).toEqual(["rbac-binder", "node-notready", "logs-sidecar"]);
  });

  it("takes a second task from the weakest competencies when there are fewer than three", () => {
    const rbacOnly = catalog.filter((t) => t.task.competency === "rbac");
    expect(ids(nextTasks(rbacOnly, []))).toEqual(["rbac-reader", "rbac-binder", "rbac-aggregate"]);
    expect(ids(nextTasks(rbacOnly.slice(0, 2), []))).toEqual(["rbac-reader", "rbac-binder"]);
  });

  it("groups tasks without a competency by their domain, as practice suggests them", () => {
    expect(nextTasks(seedShaped, [], 1)[0]?.loaded.task.id).toBe("pod-fix-redis-image");
    const triedTroubleshooting = [graded(redis, { attempt: "1", passed: true })];
    expect(nextTasks(seedShaped, triedTroubleshooting, 1)[0]?.loaded.task.domain).toBe("architecture");
    const records = [
      graded(redis, { attempt: "1", passed: true }),
      graded(infra, { attempt: "2", passed: true }),
      graded(nginx, { attempt: "3", passed: true }),
      graded(redis, { attempt: "4" }),
      graded(redis, { attempt: "5" }),
    ];
    // troubleshooting: 0% over its newer half; pending was never tried.
    expect(nextTasks(seedShaped, records, 1)[0]?.loaded.task.id).toBe(pending.task.id);
    expect(nextTasks([fakeTask("pv-claim", "storage")], [], 1)[0]?.loaded.task.id).toBe("pv-claim");
  });
});
