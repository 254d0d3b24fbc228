import type { LoadedTask } from "../catalog/load.js";
import type { TaskResult } from "../model/results.js";
import type { DomainProgress, ExamSummary } from "./progress.js";

/** 75_000 → "1m 15s"; 3_900_000 → "1h 05m". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** One line of a task list: passed mark, id, title, domain, level, budget. */
export function taskLabel(loaded: LoadedTask, passed: Set<string>): string {
  const { task } = loaded;
  const mark = passed.has(task.id) ? "✓" : " ";
  return `${mark} ${task.id.padEnd(24)} ${task.title}  (${task.domain}, ${task.difficulty}, ${task.minutes} min)`;
}

/** The line under a practice check: verdict, score, time taken against the budget. */
export function checkSummary(result: TaskResult, elapsedMs: number, budgetMinutes: number): string {
  const time = `${formatDuration(elapsedMs)} (budget ${budgetMinutes} min)`;
  return result.passed
    ? `Passed: ${result.earned}/${result.total} points in ${time}.`
    : `Not yet: ${result.earned}/${result.total} points after ${time}. Fix what the ✗ lines say and check again.`;
}

const percent = (rate: number | undefined) => (rate === undefined ? "-" : `${Math.round(rate * 100)}%`);

export function renderProgress(
  rows: DomainProgress[],
  weakest: string | undefined,
  exams: ExamSummary,
): string {
  const cells = (r: DomainProgress) => [
    r.domain.padEnd(16),
    String(r.attempts).padStart(8),
    String(r.passed).padStart(6),
    percent(r.passRate).padStart(5),
    (r.bestTimeMs === undefined ? "-" : formatDuration(r.bestTimeMs)).padStart(9),
    String(r.assisted).padStart(8),
  ];
  const lines = [
    `${"DOMAIN".padEnd(16)} ATTEMPTS PASSED  RATE BEST TIME ASSISTED`,
    ...rows.map((r) => cells(r).join(" ")),
    "",
    weakest
      ? `Weakest domain: ${weakest}. Practise it: kubedrill practice, then "Suggested".`
      : "No attempts yet. Start with: kubedrill practice",
  ];
  if (exams.last) {
    const last = `${exams.last.passed ? "PASS" : "FAIL"} ${exams.last.percent.toFixed(1)}%${exams.last.late ? " (late)" : ""}`;
    lines.push(
      `Mock exams: ${exams.taken} taken, ${exams.passed} passed, best ${exams.bestPercent?.toFixed(1)}%, last ${last}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}
