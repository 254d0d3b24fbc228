import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoadedTask } from "../../../src/catalog/load.js";
import { gradeReport } from "../../../src/engine/grade.js";
import { UsageError } from "../../../src/errors.js";
import { capabilityNames } from "../../../src/model/capabilities.js";
import type { CheckResult, TaskResult } from "../../../src/model/results.js";
import {
  domainScores,
  type Exam,
  examPool,
  examResult,
  planExam,
  setFlag,
  startClock,
} from "../../../src/session/exam.js";
import {
  renderExamResult,
  renderExamReview,
  renderExamStarted,
  renderExamStatus,
  renderExamTask,
  renderShortfall,
} from "../../../src/session/exam-render.js";
import { examReview, loadReview, saveReview } from "../../../src/session/exam-review.js";
import { examReviewFile } from "../../../src/session/paths.js";
import { fakeTask, seedShaped } from "./fixtures.js";

const where = { context: "kind-kubedrill", catalogs: [] };
const t0 = new Date("2026-01-05T10:00:00Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

/** The seed-shaped catalog's exam of 3 tasks, in the order the seed "fixed" gives. */
const exam3 = (): Exam => startClock(planExam(seedShaped, { count: 3, seed: "fixed" }, where).exam, t0);

const check = (title: string, points: number, fields: Partial<CheckResult> = {}): CheckResult => ({
  title,
  points,
  earned: fields.passed ? points : 0,
  passed: false,
  mismatches: [],
  durationMs: 1,
  ...fields,
});

/** Task 1 passes, task 2 half passes (the image is wrong), task 3 fails outright. */
function graded(exam: Exam) {
  const [first, second, third] = exam.tasks as [
    Exam["tasks"][number],
    Exam["tasks"][number],
    Exam["tasks"][number],
  ];
  const task = (planned: typeof first, checks: CheckResult[]): TaskResult => ({
    id: planned.id,
    title: planned.title,
    domain: planned.domain as TaskResult["domain"],
    checks,
    earned: checks.reduce((sum, c) => sum + c.earned, 0),
    total: checks.reduce((sum, c) => sum + c.points, 0),
    passed: checks.every((c) => c.passed),
    durationMs: 1,
  });
  const image = { path: "spec.containers[redis].image", found: "redis123", want: "redis" };
  return gradeReport(
    [
      task(first, [check("Pod exists", 2, { passed: true }), check("Pod is Running", 1, { passed: true })]),
      task(second, [
        check("Pod exists", 2, { passed: true }),
        check("Pod uses the image redis", 1, { mismatches: [image] }),
      ]),
      task(third, [
        check("Pod exists", 2, { mismatches: [{ path: "", message: "Pod web not found" }] }),
        check("Pod is Running", 1, { error: "the API server refused the read (403)" }),
      ]),
    ],
    { passMark: exam.passMark, startedAt: at(30) },
  );
}

describe("exam flags", () => {
  it("flags a task to come back to, shows it in the status, and unflags it", () => {
    const exam = exam3();
    const flagged = setFlag(exam, 2, true);
    expect(flagged.tasks.map((t) => t.flagged === true)).toEqual([false, true, false]);
    const status = renderExamStatus(flagged, at(5));
    expect(status).toMatch(new RegExp(`^ 2 ⚑ .*\\[${exam.tasks[1]?.id}\\]$`, "m"));
    expect(status).toMatch(new RegExp(`^ 1   .*\\[${exam.tasks[0]?.id}\\]$`, "m"));
    expect(status).toContain("Flagged ⚑ to come back to: 2 (unflag: kubedrill exam flag N --off)");
    expect(status).toContain("Time left: 17m 00s of 22 min");
    const unflagged = setFlag(flagged, 2, false);
    expect(unflagged).toEqual(exam);
    expect(renderExamStatus(unflagged, at(5))).not.toContain("Flagged");
  });

  it("refuses a task number the exam does not have, and says where the numbers are", () => {
    const error = (() => {
      try {
        setFlag(exam3(), 4, true);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe("the exam has 3 tasks, not 4");
    expect((error as UsageError).hint).toBe("kubedrill exam status lists them");
  });
});

describe("exam text", () => {
  it("opens the start output and every task with the context to switch to, as the CKA does", () => {
    const exam = exam3();
    expect(renderExamStarted(exam)).toContain(
      "Every task is on this cluster; as in the CKA, switch to it first: kubectl config use-context kind-kubedrill",
    );
    const text = renderExamTask(setFlag(exam, 3, true), 3, "Title of x  [x]\n\nDo x.");
    expect(text.split("\n").slice(0, 3)).toEqual([
      "Task 3 of 3 · flagged ⚑",
      "Use the exam's cluster: kubectl config use-context kind-kubedrill",
      "",
    ]);
  });
});

describe("exam selection when the catalog or the cluster offers fewer tasks", () => {
  const cannotHelm = {
    workers: 2,
    has: Object.fromEntries(
      capabilityNames.map((c) => [
        c,
        { available: c !== "helm", why: c === "helm" ? "helm is not on PATH" : "yes" },
      ]),
    ) as never,
  };
  const needsHelm = (loaded: LoadedTask): LoadedTask => ({
    ...loaded,
    task: { ...loaded.task, requires: ["helm"] },
  });

  it("leaves out the tasks the cluster cannot run, and says how many and why", () => {
    const catalog = [
      ...seedShaped.slice(0, 7),
      needsHelm(seedShaped[7] as LoadedTask),
      needsHelm(seedShaped[8] as LoadedTask),
    ];
    const { pool, inScope, cannotRun } = examPool(catalog, undefined, cannotHelm);
    expect(pool).toHaveLength(7);
    const exam = planExam(pool, { count: 17, seed: "s" }, where).exam;
    expect(exam.tasks).toHaveLength(7);
    expect(exam.minutes).toBe(50);
    expect(renderShortfall(exam, { wanted: 17, inScope, cannotRun })).toBe(
      "note: only 7 tasks of the catalog fit this exam, not 17: the catalog has 9 tasks, and this cluster cannot run 2 of them (2 needs helm: helm is not on PATH)",
    );
  });

  it("counts only the exam's domains, and without a capability problem says only what the catalog has", () => {
    const { pool, inScope, cannotRun } = examPool(seedShaped, ["architecture"], cannotHelm);
    const exam = planExam(pool, { count: 5, seed: "s", domains: ["architecture"] }, where).exam;
    expect(renderShortfall(exam, { wanted: 5, inScope, cannotRun })).toBe(
      "note: only 2 tasks of the catalog fit this exam, not 5: the catalog has 2 tasks in architecture",
    );
  });

  it("treats every task as runnable when nothing is known of the cluster", () => {
    const catalog = [needsHelm(fakeTask("chart", "architecture"))];
    expect(examPool(catalog, undefined, undefined).pool).toHaveLength(1);
  });
});

describe("exam results", () => {
  it("break the score down per task and per domain, with the verdict at 66%", () => {
    const exam = setFlag(exam3(), 3, true);
    const result = examResult(exam, graded(exam), at(20));
    const text = renderExamResult(result);
    const [first, second, third] = exam.tasks;
    expect(text).toMatch(
      new RegExp(`^ 1   ${first?.domain}\\s+3/3  ✓ ${first?.title}  \\[${first?.id}\\]$`, "m"),
    );
    expect(text).toMatch(new RegExp(`^ 2   ${second?.domain}\\s+2/3  ✗ ${second?.title}`, "m"));
    expect(text).toMatch(new RegExp(`^ 3 ⚑ ${third?.domain}\\s+0/3  ✗ ${third?.title}`, "m"));
    expect(text).toContain("Total 5/9 points (55.6%)");
    expect(text).toContain("Mock exam: FAIL with 55.6% (pass mark 66%), submitted after 20m 00s of 22 min.");
    expect(text).toContain(
      "Learn from the 3 failed checks in 2 tasks, with what each found and a reference solution: kubedrill exam review",
    );
    const byDomain = domainScores(result.report);
    expect(byDomain.reduce((sum, d) => sum + d.tasks, 0)).toBe(3);
    expect(byDomain.reduce((sum, d) => sum + d.earned, 0)).toBe(5);
    for (const d of byDomain) {
      expect(text).toMatch(
        new RegExp(`^${d.domain}\\s+${d.tasks}\\s+${d.passed}\\s+${d.earned}/${d.total}\\s+`, "m"),
      );
    }
  });

  it("per domain: tasks, passes, points and the share, heaviest domain first, skipped tasks left out", () => {
    const report = gradeReport(
      [
        {
          id: "a",
          title: "A",
          domain: "workloads",
          checks: [],
          earned: 1,
          total: 4,
          passed: false,
          durationMs: 1,
        },
        {
          id: "b",
          title: "B",
          domain: "troubleshooting",
          checks: [],
          earned: 3,
          total: 3,
          passed: true,
          durationMs: 1,
        },
        {
          id: "c",
          title: "C",
          domain: "workloads",
          checks: [],
          earned: 4,
          total: 4,
          passed: true,
          durationMs: 1,
        },
        {
          id: "d",
          title: "D",
          domain: "storage",
          checks: [],
          earned: 0,
          total: 0,
          passed: true,
          skipped: "needs provisioner",
          durationMs: 0,
        },
      ],
      { passMark: 66, startedAt: t0 },
    );
    expect(domainScores(report)).toEqual([
      { domain: "troubleshooting", tasks: 1, passed: 1, earned: 3, total: 3, percent: 100 },
      { domain: "workloads", tasks: 2, passed: 1, earned: 5, total: 8, percent: 62.5 },
    ]);
  });
});

describe("exam review", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubedrill-review-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const reviewed = () => {
    const exam = exam3();
    const [, second, third] = exam.tasks;
    const solutions = {
      [second?.id as string]: "kubectl -n pods-redis set image pod/redis redis=redis\n",
      [third?.id as string]:
        "kubectl -n web run web --image=nginx\nkubectl -n web wait pod/web --for=condition=Ready\n",
    };
    return examReview(examResult(exam, graded(exam), at(30)), solutions, at(30));
  };

  it("walks the failed checks only, each with what it found and wanted, and the task's reference solution", () => {
    const review = reviewed();
    const [first, second, third] = review.exam.tasks;
    const text = renderExamReview(review, { color: false });
    expect(text).toMatch(
      /^Mock exam submitted \d{4}-\d\d-\d\d \d\d:\d\d on context "kind-kubedrill": FAIL with 55\.6% \(pass mark 66%\)\.$/m,
    );
    expect(text).toContain("2 tasks of 3 lost points.");
    expect(text).not.toContain(`Task 1 of 3`);
    expect(text).not.toContain(`[${first?.id}]`);
    expect(text).toContain(
      [
        `Task 2 of 3 · ${second?.domain}`,
        `${second?.id}  ${second?.title}  2/3 points`,
        "  ✗ Pod uses the image redis  (0/1)",
        '      spec.containers[redis].image: found "redis123", want "redis"',
        "Reference solution:",
        "    kubectl -n pods-redis set image pod/redis redis=redis",
        `Practise it again: kubedrill start ${second?.id}`,
      ].join("\n"),
    );
    expect(text).not.toContain("✓ Pod exists");
    expect(text).toContain(
      [
        "  ✗ Pod exists  (0/2)",
        "      Pod web not found",
        "  ✗ Pod is Running  (0/1)",
        "      could not check: the API server refused the read (403)",
        "Reference solution:",
        "    kubectl -n web run web --image=nginx",
        "    kubectl -n web wait pod/web --for=condition=Ready",
      ].join("\n"),
    );
    expect(text).toContain(`Practise it again: kubedrill start ${third?.id}`);
  });

  it("shows one task when asked, and says when it has nothing to review", () => {
    const review = reviewed();
    const third = renderExamReview(review, { color: false, task: 3 });
    expect(third).toContain("Task 3 of 3");
    expect(third).not.toContain("Task 2 of 3");
    expect(renderExamReview(review, { color: false, task: 1 })).toContain(
      "Nothing to review: task 1 passed.",
    );
  });

  it("is kept on disk beside the exam file, and reads back the same in a later process", async () => {
    const file = examReviewFile({ KUBEDRILL_EXAM: join(dir, "state", "exam.json") });
    expect(file).toBe(join(dir, "state", "last-exam.json"));
    const review = reviewed();
    await saveReview(file, review);
    const loaded = await loadReview(file);
    expect(loaded).toEqual(review);
    expect(renderExamReview(loaded, { color: false })).toBe(renderExamReview(review, { color: false }));
  });

  it("without a submitted exam, or with a damaged file, says what to do", async () => {
    const file = join(dir, "last-exam.json");
    await expect(loadReview(file)).rejects.toThrow("no submitted mock exam to review");
    await writeFile(file, '{"version":1}');
    const error = await loadReview(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`${file} is not a mock exam result kubedrill can read`);
  });
});
