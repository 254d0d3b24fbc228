import { findTask } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import type { GradeEnv } from "../engine/grade.js";
import { skipReason } from "../engine/requires.js";
import { grade, reset, start, type Target } from "../engine/run.js";
import { UsageError } from "../errors.js";
import {
  type Exam,
  type ExamOptions,
  type ExamResult,
  examResult,
  loadExam,
  planExam,
  removeExam,
  saveExam,
  startClock,
} from "./exam.js";
import { appendRecords, type HistoryRecord } from "./history.js";

/** Where the exam and the history live; tests point both at temporary files. */
export interface ExamFiles {
  exam: string;
  history: string;
}

type Progress = (message: string) => void;

/** Sets every chosen task up, then starts the clock and saves the exam; on a failed setup undoes what it did. */
export async function startExam(
  catalog: LoadedTask[],
  target: Target,
  options: ExamOptions & { catalogs: string[] },
  files: ExamFiles,
  progress: Progress,
): Promise<Exam> {
  const running = await loadExam(files.exam);
  if (running) {
    throw new UsageError(
      `a mock exam is already running (started ${running.startedAt}, ${running.tasks.length} tasks)`,
      "see it with kubedrill exam status; finish it with kubedrill exam submit, or kubedrill exam abort",
    );
  }
  // A task this cluster cannot run would fail its setup; the exam is drawn from the others.
  const runnable = catalog.filter((t) => !skipReason(t.task.requires, target.capabilities));
  const { exam, chosen } = planExam(runnable, options, {
    context: target.context,
    catalogs: options.catalogs,
  });
  const done: LoadedTask[] = [];
  try {
    for (const loaded of chosen) {
      progress(`[${done.length + 1}/${chosen.length}] setting up ${loaded.task.id}…`);
      await start(loaded, target);
      done.push(loaded);
    }
  } catch (err) {
    for (const loaded of done) await reset(loaded, target).catch(() => undefined);
    throw err;
  }
  const started = startClock(exam, new Date());
  await saveExam(files.exam, started);
  return started;
}

/** The catalog entries of the exam's tasks. */
export function examTasks(exam: Exam, catalog: LoadedTask[]): LoadedTask[] {
  return exam.tasks.map((t) => findTask(catalog, t.id));
}

/** Grades every task (late or not), records the result in the history, and ends the exam. */
export async function submitExam(
  exam: Exam,
  catalog: LoadedTask[],
  target: Target,
  files: ExamFiles,
  onWait?: GradeEnv["onWait"],
): Promise<ExamResult> {
  // Late or not is decided when the learner hands in, not when grading ends.
  const submittedAt = new Date();
  const report = await grade(examTasks(exam, catalog), target, exam.passMark, onWait);
  const result = examResult(exam, report, submittedAt);
  await appendRecords(files.history, examRecords(result));
  await removeExam(files.exam);
  return result;
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
