import { renderHuman } from "../report/human.js";
import { type Exam, type ExamResult, timeLeft } from "./exam.js";
import { formatDuration } from "./render.js";

const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

/** The task list: number, domain, points, budget, title. No scores: those come at submit. */
export function renderExamTasks(exam: Exam): string {
  const total = exam.tasks.reduce((sum, t) => sum + t.points, 0);
  return [
    ` #  ${"DOMAIN".padEnd(16)} PTS  MIN  TASK`,
    ...exam.tasks.map(
      (t, i) =>
        `${String(i + 1).padStart(2)}  ${t.domain.padEnd(16)} ${String(t.points).padStart(3)}  ${String(t.minutes).padStart(3)}  ${t.title}  [${t.id}]`,
    ),
    `${total} points in all; pass mark ${exam.passMark}%`,
  ].join("\n");
}

export function renderExamStarted(exam: Exam): string {
  return `${[
    `Mock exam started: ${exam.tasks.length} tasks, ${exam.minutes} min, on context "${exam.context}"; time is up at ${clock(exam.endsAt)}.`,
    "",
    renderExamTasks(exam),
    "",
    "Read a task: kubedrill exam show 1 · time left: kubedrill exam status · hand in: kubedrill exam submit",
    `The same tasks again another day: kubedrill exam start --seed ${exam.seed} --count ${exam.tasks.length}${exam.domains ? ` --domain ${exam.domains.join(" ")}` : ""}`,
  ].join("\n")}\n`;
}

export function renderExamStatus(exam: Exam, now: Date): string {
  const left = timeLeft(exam, now);
  const time =
    left >= 0
      ? `Time left: ${formatDuration(left)} of ${exam.minutes} min (until ${clock(exam.endsAt)}).`
      : `Time is up: it ended at ${clock(exam.endsAt)}, ${formatDuration(left)} ago. kubedrill exam submit still grades it, marked late.`;
  return `${[`Mock exam on context "${exam.context}", started ${clock(exam.startedAt)}.`, time, "", renderExamTasks(exam)].join("\n")}\n`;
}

export function renderExamResult(result: ExamResult, color: boolean): string {
  const { exam, report } = result;
  const when = result.late
    ? `submitted late, ${formatDuration(result.durationMs - exam.minutes * 60_000)} after the time was up`
    : `submitted after ${formatDuration(result.durationMs)} of ${exam.minutes} min`;
  const verdict = result.passed ? "PASS" : "FAIL";
  return [
    renderHuman(report, { color }),
    `Mock exam: ${verdict} with ${report.percent.toFixed(1)}% (pass mark ${exam.passMark}%), ${when}.`,
    "The tasks are still set up, to look at; to clean up: kubedrill reset --all",
    "",
  ].join("\n");
}
