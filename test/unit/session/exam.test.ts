import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { byWeight } from "../../../src/catalog/curriculum.js";
import { seedProblem } from "../../../src/catalog/instance.js";
import { ckaExam as helpDefaults } from "../../../src/cli/command-groups.js";
import { gradeReport } from "../../../src/engine/grade.js";
import { UsageError } from "../../../src/errors.js";
import type { TaskResult } from "../../../src/model/results.js";
import {
  ckaExam,
  ckaMinutes,
  type Exam,
  examResult,
  loadExam,
  planExam,
  saveExam,
  startClock,
  timeLeft,
} from "../../../src/session/exam.js";
import { renderExamResult, renderExamStatus } from "../../../src/session/exam-render.js";
import { instanceSeed } from "../../../src/session/exam-run.js";
import { examFile } from "../../../src/session/paths.js";
import { fakeTask, seedShaped } from "./fixtures.js";

const where = { context: "kubedrill-local", catalogs: [] };
const t0 = new Date("2026-01-05T10:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function planned(count = 3, extra: { minutes?: number } = {}): Exam {
  return startClock(planExam(seedShaped, { count, seed: "fixed", ...extra }, where).exam, t0);
}

/** A graded exam where the tasks earn these shares of their 3 points. */
function graded(exam: Exam, earned: number[]) {
  const tasks: TaskResult[] = exam.tasks.map((t, i) => ({
    id: t.id,
    title: t.title,
    domain: t.domain as TaskResult["domain"],
    checks: [],
    earned: earned[i] ?? 0,
    total: t.points,
    passed: earned[i] === t.points,
    durationMs: 1,
  }));
  return gradeReport(tasks, { passMark: exam.passMark, startedAt: minutes(1) });
}

describe("mock exam", () => {
  it("plans the seeded tasks with their points, a clock at the CKA's pace, and pass mark 66%", () => {
    const exam = planned(3);
    expect(exam.seed).toBe("fixed");
    expect(exam.tasks).toHaveLength(3);
    expect(exam.tasks.every((t) => t.points === 3 && t.minutes === 5)).toBe(true);
    // 120 minutes for 17 tasks: 3 tasks get 21.2, rounded up.
    expect(exam.minutes).toBe(22);
    expect(exam.passMark).toBe(66);
    expect(exam.endsAt).toBe(minutes(22).toISOString());
    expect(planned(3).tasks).toEqual(exam.tasks);
    expect(planned(3, { minutes: 40 }).minutes).toBe(40);
  });

  it("is the CKA's 17 tasks in 120 minutes by default, and keeps that pace for fewer", () => {
    expect(ckaExam).toEqual({ count: 17, minutes: 120 });
    expect([17, 9, 4, 1].map(ckaMinutes)).toEqual([120, 64, 29, 8]);
    const many = Array.from({ length: 30 }, (_, i) => fakeTask(`task-${i}`, byWeight[i % 5] as string));
    const exam = planExam(many, { count: ckaExam.count, seed: "s" }, where).exam;
    expect(exam.tasks).toHaveLength(17);
    expect(exam.minutes).toBe(120);
    // The help states the defaults without loading this module.
    expect(helpDefaults).toEqual(ckaExam);
  });

  it("refuses an exam over domains without tasks", () => {
    expect(() => planExam(seedShaped, { count: 3, domains: ["storage"] }, where)).toThrow(UsageError);
  });

  it("counts the time left down, and below zero once it is up", () => {
    const exam = planned(3, { minutes: 15 });
    expect(timeLeft(exam, minutes(5))).toBe(10 * 60_000);
    expect(timeLeft(exam, minutes(16))).toBe(-60_000);
    expect(renderExamStatus(exam, minutes(5))).toContain("Time left: 10m 00s of 15 min");
    expect(renderExamStatus(exam, minutes(17))).toMatch(
      /Time is up: .* 2m 00s ago\. kubedrill exam submit still grades it, marked late\./,
    );
  });

  it("shows titles and points in the status, never a score", () => {
    const text = renderExamStatus(planned(), minutes(1));
    for (const t of planned().tasks) expect(text).toMatch(new RegExp(`\\s+3\\s+5\\s+${t.title}`));
    expect(text).not.toMatch(/\d+\/\d+/);
  });

  it("passes at 66% of the points and fails below, and marks a submission after the end late", () => {
    const exam = planned(3);
    const pass = examResult(exam, graded(exam, [3, 3, 0]), minutes(14));
    expect(pass).toMatchObject({ passed: true, late: false, durationMs: 14 * 60_000 });
    expect(pass.report.percent).toBe(66.7);
    const fail = examResult(exam, graded(exam, [3, 2, 0]), minutes(25));
    expect(fail).toMatchObject({ passed: false, late: true });
    expect(renderExamResult(fail)).toContain(
      "Mock exam: FAIL with 55.6% (pass mark 66%), submitted late, 3m 00s after the time was up.",
    );
    expect(renderExamResult(pass)).toContain(
      "Mock exam: PASS with 66.7% (pass mark 66%), submitted after 14m 00s",
    );
  });
});

describe("exam file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubedrill-exam-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("survives on disk: what is saved loads back the same", async () => {
    const file = join(dir, "state", "exam.json");
    const exam = planned();
    await saveExam(file, exam);
    expect(await loadExam(file)).toEqual(exam);
    expect(JSON.parse(await readFile(file, "utf8")).tasks).toHaveLength(3);
  });

  it("is absent when no exam runs, and a damaged file says how to start over", async () => {
    expect(await loadExam(join(dir, "exam.json"))).toBeUndefined();
    const file = join(dir, "exam.json");
    await writeFile(file, '{"version":1,"id":');
    await expect(loadExam(file)).rejects.toThrow(/is not a mock exam kubedrill can read/);
  });

  it("JSON of the wrong shape, or a folder in its place, is a usage error (exit 2) that says how to start over", async () => {
    const file = join(dir, "exam.json");
    for (const wrong of ["[]", '{"version":1,"tasks":3}', "null"]) {
      await writeFile(file, wrong);
      const error = await loadExam(file).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).hint).toBe(
        `delete it and start again: rm ${file} && kubedrill exam start`,
      );
    }
    await rm(file);
    await mkdir(file);
    const error = await loadExam(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toBe(`${file} is a folder, not a mock exam file`);
    expect((error as UsageError).hint).toBe(
      `remove it and start again: rm -r ${file} && kubedrill exam start`,
    );
  });

  it("lives in the XDG state dir unless KUBEDRILL_EXAM moves it", () => {
    expect(examFile({ XDG_STATE_HOME: "/state" })).toBe("/state/kubedrill/exam.json");
    expect(examFile({ KUBEDRILL_EXAM: "/tmp/e.json" })).toBe("/tmp/e.json");
  });
});

describe("an exam's instances", () => {
  it("follow from the exam's seed and the task: the same seed, the same instance; always a valid seed", () => {
    expect(instanceSeed("4c2e9a", "pod-run-nginx")).toBe(instanceSeed("4c2e9a", "pod-run-nginx"));
    expect(instanceSeed("4c2e9a", "pod-run-nginx")).not.toBe(instanceSeed("4c2e9b", "pod-run-nginx"));
    expect(instanceSeed("4c2e9a", "pod-run-nginx")).not.toBe(instanceSeed("4c2e9a", "deploy-scale"));
    for (const seed of ["my exam #1", "x".repeat(60)])
      expect(seedProblem(instanceSeed(seed, "controller-manager-broken"))).toBeUndefined();
  });
});
