import { describe, expect, it } from "vitest";
import type { ExamRecord } from "../../../src/session/history.js";
import {
  domainProgress,
  examSummary,
  passedTasks,
  suggestTask,
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

  it("renders a table with rate and best time and names the weakest domain", () => {
    const records = [
      graded(redis, { attempt: "1", passed: true, durationMs: 75_000 }),
      graded(infra, { attempt: "2" }),
    ];
    const rows = domainProgress(records);
    const text = renderProgress(rows, weakestDomain(rows), examSummary(records));
    expect(text).toMatch(/^troubleshooting\s+1\s+1\s+100%\s+1m 15s\s+0$/m);
    expect(text).toMatch(/^architecture\s+1\s+0\s+0%\s+-\s+0$/m);
    expect(text).toContain("Weakest domain: architecture.");
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

describe("suggestTask", () => {
  it("starts with the heaviest domain never tried", () => {
    expect(suggestTask(seedShaped, [])?.task.domain).toBe("troubleshooting");
    const triedTroubleshooting = [graded(redis, { attempt: "1", passed: true })];
    expect(suggestTask(seedShaped, triedTroubleshooting)?.task.domain).toBe("architecture");
  });

  it("then goes to the weakest domain, tasks not yet passed first", () => {
    const records = [
      graded(redis, { attempt: "1", passed: true }),
      graded(infra, { attempt: "2", passed: true }),
      graded(nginx, { attempt: "3", passed: true }),
      graded(redis, { attempt: "4" }),
      graded(redis, { attempt: "5" }),
    ];
    // troubleshooting: 1 of 3 passed, the weakest; redis was passed once, pending never.
    expect(suggestTask(seedShaped, records)?.task.id).toBe(pending.task.id);
  });

  it("offers only domains the catalog has tasks in", () => {
    const onlyStorage = [fakeTask("pv-claim", "storage")];
    expect(suggestTask(onlyStorage, [])?.task.id).toBe("pv-claim");
  });
});
