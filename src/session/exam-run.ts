import { findTask } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import type { GradeEnv } from "../engine/grade.js";
import { grade, reset, solutionScript, start, type Target } from "../engine/run.js";
import { UsageError } from "../errors.js";
import type { GradeReport } from "../model/results.js";
import {
  type Exam,
  type ExamOptions,
  type ExamResult,
  examPool,
  examResult,
  loadExam,
  planExam,
  removeExam,
  type Shortfall,
  saveExam,
  startClock,
} from "./exam.js";
import { examReview, lostPoints, saveReview } from "./exam-review.js";
import { appendRecords, type HistoryRecord } from "./history.js";

/** Where the exam, its results and the history live; tests point them at temporary files. */
export interface ExamFiles {
  exam: string;
  /** The last submitted exam's results, for `exam review`. */
  review: string;
  history: string;
}

type Progress = (message: string) => void;

/** Each task's instance follows from the exam's seed, so `exam start --seed S` repeats the instances too. */
export const instanceSeed = (examSeed: string, taskId: string) =>
  `${examSeed}-${taskId}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40);

/**
 * Sets every chosen task up, then starts the clock and saves the exam; on a failed setup
 * undoes what it did. With fewer tasks than asked for, says why in `shortfall`.
 */
export async function startExam(
  catalog: LoadedTask[],
  target: Target,
  options: ExamOptions & { catalogs: string[] },
  files: Pick<ExamFiles, "exam">,
  progress: Progress,
): Promise<{ exam: Exam; shortfall?: Shortfall }> {
  const running = await loadExam(files.exam);
  if (running) {
    throw new UsageError(
      `a mock exam is already running (started ${running.startedAt}, ${running.tasks.length} tasks)`,
      "see it with kubedrill exam status; finish it with kubedrill exam submit, or kubedrill exam abort",
    );
  }
  const { pool, inScope, cannotRun } = examPool(catalog, options.domains, target.capabilities);
  if (pool.length === 0 && cannotRun.length > 0) {
    throw new UsageError(
      `context "${target.context}" can run none of the ${inScope} tasks this exam could draw (${cannotRun[0]?.reason})`,
      "kubedrill doctor shows what this cluster offers; kubedrill list shows the tasks it can run",
    );
  }
  const { exam, chosen } = planExam(pool, options, {
    context: target.context,
    catalogs: options.catalogs,
  });
  const done: LoadedTask[] = [];
  try {
    for (const loaded of chosen) {
      progress(`[${done.length + 1}/${chosen.length}] setting up ${loaded.task.id}…`);
      await start(loaded, target, instanceSeed(exam.seed, loaded.task.id));
      done.push(loaded);
    }
  } catch (err) {
    for (const loaded of done) await reset(loaded, target).catch(() => undefined);
    throw err;
  }
  const started = startClock(exam, new Date());
  await saveExam(files.exam, started);
  const short = started.tasks.length < options.count;
  return {
    exam: started,
    shortfall: short ? { wanted: options.count, inScope, cannotRun } : undefined,
  };
}

/** The catalog entries of the exam's tasks. */
export function examTasks(exam: Exam, catalog: LoadedTask[]): LoadedTask[] {
  return exam.tasks.map((t) => findTask(catalog, t.id));
}

/**
 * Grades every task (late or not), keeps the results for `exam review`, records them in
 * the history, and ends the exam. Nothing is recorded until the review is saved, so a
 * failure on the way leaves the exam to submit again.
 */
export async function submitExam(
  exam: Exam,
  catalog: LoadedTask[],
  target: Target,
  files: ExamFiles,
  onWait?: GradeEnv["onWait"],
): Promise<ExamResult> {
  // Late or not is decided when the learner hands in, not when grading ends.
  const submittedAt = new Date();
  const tasks = examTasks(exam, catalog);
  const report = await grade(tasks, target, exam.passMark, onWait);
  const result = examResult(exam, report, submittedAt);
  await saveReview(files.review, examReview(result, await solutions(report, tasks, target), submittedAt));
  await appendRecords(files.history, examRecords(result));
  await removeExam(files.exam);
  return result;
}

/** The reference solution of each task that lost points, filled now, while its cluster is at hand. */
async function solutions(report: GradeReport, tasks: LoadedTask[], target: Target) {
  const failed = lostPoints(report.tasks).map((t) => findTask(tasks, t.id));
  const scripts = await Promise.all(failed.map((loaded) => solutionScript(loaded, target)));
  return Object.fromEntries(failed.map((loaded, i) => [loaded.task.id, scripts[i] as string]));
}

function examRecords({ exam, report, passed, late, durationMs }: ExamResult): HistoryRecord[] {
  const at = report.startedAt;
  return [
    ...report.tasks.map((t) => ({
      type: "task" as const,
      at,
      source: "exam" as const,
      task: t.id,
      domain: t.domain,
      earned: t.earned,
      total: t.total,
      passed: t.passed,
      assisted: false,
      attempt: exam.id,
      seed: t.seed,
    })),
    {
      type: "exam" as const,
      at,
      exam: exam.id,
      seed: exam.seed,
      tasks: exam.tasks.map((t) => t.id),
      earned: report.earned,
      total: report.total,
      percent: report.percent,
      passMark: exam.passMark,
      passed,
      late,
      durationMs,
    },
  ];
}

/** Resets every task the exam set up and forgets the exam, recording nothing. */
export async function abortExam(
  exam: Exam,
  catalog: LoadedTask[],
  target: Target,
  file: string,
): Promise<void> {
  for (const loaded of examTasks(exam, catalog)) await reset(loaded, target);
  await removeExam(file);
}
