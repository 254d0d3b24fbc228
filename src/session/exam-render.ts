import type { TaskResult } from "../model/results.js";
import { renderTaskHuman } from "../report/human.js";
import {
  type DomainScore,
  domainScores,
  type Exam,
  type ExamResult,
  type Shortfall,
  timeLeft,
} from "./exam.js";
import { type ExamReview, lostPoints } from "./exam-review.js";
import { formatDuration } from "./render.js";

const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 5);
const two = (n: number) => String(n).padStart(2, "0");
const day = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock(iso)}`;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const flag = (t: { flagged?: boolean }) => (t.flagged ? "⚑" : " ");

/** As the CKA opens every task: the context to switch to first. */
const useContext = (exam: Exam) => `kubectl config use-context ${exam.context}`;

/** The task list: number, flag, domain, points, budget, title. No scores: those come at submit. */
export function renderExamTasks(exam: Exam): string {
  const total = exam.tasks.reduce((sum, t) => sum + t.points, 0);
  const flagged = exam.tasks.flatMap((t, i) => (t.flagged ? [i + 1] : []));
  return [
    ` #   ${"DOMAIN".padEnd(16)} PTS  MIN  TASK`,
    ...exam.tasks.map(
      (t, i) =>
        `${String(i + 1).padStart(2)} ${flag(t)} ${t.domain.padEnd(16)} ${String(t.points).padStart(3)}  ${String(t.minutes).padStart(3)}  ${t.title}  [${t.id}]`,
    ),
    `${total} points in all; pass mark ${exam.passMark}%`,
    ...(flagged.length > 0
      ? [`Flagged ⚑ to come back to: ${flagged.join(", ")} (unflag: kubedrill exam flag N --off)`]
      : []),
  ].join("\n");
}

export function renderExamStarted(exam: Exam): string {
  return `${[
    `Mock exam started: ${plural(exam.tasks.length, "task")}, ${exam.minutes} min, on context "${exam.context}"; time is up at ${clock(exam.endsAt)}.`,
    `Every task is on this cluster; as in the CKA, switch to it first: ${useContext(exam)}`,
    "",
    renderExamTasks(exam),
    "",
    "Read a task: kubedrill exam show 1 · come back to it later: kubedrill exam flag 1 · time left: kubedrill exam status · hand in: kubedrill exam submit",
    `The same tasks again another day: kubedrill exam start --seed ${exam.seed} --count ${exam.tasks.length}${exam.domains ? ` --domain ${exam.domains.join(" ")}` : ""}`,
  ].join("\n")}\n`;
}

/** Why the exam has fewer tasks than asked for, in one line. */
export function renderShortfall(exam: Exam, short: Shortfall): string {
  const n = exam.tasks.length;
  const where = exam.domains ? ` in ${exam.domains.join(", ")}` : "";
  let why = `the catalog has ${plural(short.inScope, "task")}${where}`;
  if (short.cannotRun.length > 0) {
    const reasons = new Map<string, number>();
    for (const { reason } of short.cannotRun) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const each = [...reasons].map(([reason, count]) => `${count} ${reason}`).join("; ");
    why += `, and this cluster cannot run ${short.cannotRun.length} of them (${each})`;
  }
  return `note: only ${plural(n, "task")} of the catalog fit this exam, not ${short.wanted}: ${why}`;
}

/** Task n in full, opening with the context to use, as the CKA's tasks do. */
export function renderExamTask(exam: Exam, n: number, description: string): string {
  const task = exam.tasks[n - 1];
  return [
    `Task ${n} of ${exam.tasks.length}${task?.flagged ? " · flagged ⚑" : ""}`,
    `Use the exam's cluster: ${useContext(exam)}`,
    "",
    description,
  ].join("\n");
}

export function renderExamStatus(exam: Exam, now: Date): string {
  const left = timeLeft(exam, now);
  const time =
    left >= 0
      ? `Time left: ${formatDuration(left)} of ${exam.minutes} min (until ${clock(exam.endsAt)}).`
      : `Time is up: it ended at ${clock(exam.endsAt)}, ${formatDuration(left)} ago. kubedrill exam submit still grades it, marked late.`;
  return `${[`Mock exam on context "${exam.context}", started ${clock(exam.startedAt)}.`, time, "", renderExamTasks(exam)].join("\n")}\n`;
}

function taskRow(exam: Exam, task: TaskResult): string {
  const i = exam.tasks.findIndex((t) => t.id === task.id);
  const planned = exam.tasks[i];
  const mark = task.skipped !== undefined ? "-" : task.passed ? "✓" : "✗";
  const points = task.skipped !== undefined ? "-" : `${task.earned}/${task.total}`;
  const skipped = task.skipped === undefined ? "" : `  (skipped: ${task.skipped})`;
  return `${String(i + 1).padStart(2)} ${flag(planned ?? {})} ${task.domain.padEnd(16)} ${points.padStart(6)}  ${mark} ${task.title}  [${task.id}]${skipped}`;
}

function domainRow(d: DomainScore): string {
  const score = d.percent === undefined ? "-" : `${d.percent.toFixed(1)}%`;
  return `${d.domain.padEnd(16)} ${String(d.tasks).padStart(5)} ${String(d.passed).padStart(6)} ${`${d.earned}/${d.total}`.padStart(7)} ${score.padStart(6)}`;
}

/** The results: per task, per domain, the total and the verdict, and where the details are. */
export function renderExamResult(result: ExamResult): string {
  const { exam, report } = result;
  const when = result.late
    ? `submitted late, ${formatDuration(Date.parse(exam.startedAt) + result.durationMs - Date.parse(exam.endsAt))} after the time was up`
    : `submitted after ${formatDuration(result.durationMs)} of ${exam.minutes} min`;
  const lost = lostPoints(report.tasks);
  const failedChecks = lost.reduce(
    (sum, t) => sum + t.checks.filter((c) => !c.passed && c.skipped === undefined).length,
    0,
  );
  return `${[
    ` #   ${"DOMAIN".padEnd(16)} POINTS  TASK`,
    ...report.tasks.map((t) => taskRow(exam, t)),
    "",
    `${"DOMAIN".padEnd(16)} TASKS PASSED  POINTS  SCORE`,
    ...domainScores(report).map(domainRow),
    "",
    `Total ${report.earned}/${report.total} points (${report.percent.toFixed(1)}%)`,
    `Mock exam: ${result.passed ? "PASS" : "FAIL"} with ${report.percent.toFixed(1)}% (pass mark ${exam.passMark}%), ${when}.`,
    lost.length > 0
      ? `Learn from the ${plural(failedChecks, "failed check")} in ${plural(lost.length, "task")}, with what each found and a reference solution: kubedrill exam review`
      : "Every task passed.",
    "The tasks are still set up, to look at; to clean up: kubedrill reset --all",
  ].join("\n")}\n`;
}

/**
 * The failed checks of the last submitted exam, task by task, with what each found and
 * wanted and the reference solution of the instance graded; only task n when given.
 */
export function renderExamReview(review: ExamReview, options: { color: boolean; task?: number }): string {
  const { exam, report } = review;
  const verdict = `${review.passed ? "PASS" : "FAIL"} with ${report.percent.toFixed(1)}% (pass mark ${exam.passMark}%)`;
  const header = `Mock exam submitted ${day(review.submittedAt)} on context "${exam.context}": ${verdict}.`;
  const number = (t: TaskResult) => exam.tasks.findIndex((e) => e.id === t.id) + 1;
  const chosen =
    options.task === undefined ? report.tasks : report.tasks.filter((t) => number(t) === options.task);
  const lost = lostPoints(chosen);
  if (lost.length === 0) {
    const what = options.task === undefined ? "every task passed" : `task ${options.task} passed`;
    return `${header}\nNothing to review: ${what}.\n`;
  }
  const intro =
    options.task === undefined
      ? `${plural(lost.length, "task")} of ${exam.tasks.length} lost points. Each failed check says what it found and what it wanted; the reference solution is one way (any correct solution passes).`
      : "";
  const blocks = lost.map((task) => {
    const planned = exam.tasks[number(task) - 1];
    const failed = { ...task, checks: task.checks.filter((c) => !c.passed && c.skipped === undefined) };
    const solution = review.solutions[task.id]?.trimEnd() ?? "(not kept)";
    return [
      `Task ${number(task)} of ${exam.tasks.length} · ${task.domain}${planned?.flagged ? " · flagged ⚑" : ""}`,
      renderTaskHuman(failed, { color: options.color }).trimEnd(),
      "Reference solution:",
      solution.replace(/^/gm, "    "),
      `Practise it again: kubedrill start ${task.id}`,
    ].join("\n");
  });
  return `${[header, ...(intro ? [intro] : []), "", blocks.join("\n\n")].join("\n")}\n`;
}
