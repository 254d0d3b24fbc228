import type { LoadedTask } from "../catalog/load.js";
import type { TaskResult } from "../model/results.js";
import type { CompetencyProgress, DomainProgress, ExamSummary, NextTask, Rate, Trend } from "./progress.js";

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
const rates = (r: Rate & Trend) =>
  [
    percent(r.passRate).padStart(5),
    percent(r.earlier.passRate).padStart(7),
    percent(r.recent.passRate).padStart(6),
  ].join(" ");

export interface ProgressView {
  domains: DomainProgress[];
  competencies: CompetencyProgress[];
  weakest?: string;
  next: NextTask[];
  exams: ExamSummary;
}

export function renderProgress({ domains, competencies, weakest, next, exams }: ProgressView): string {
  const domainRow = (r: DomainProgress) =>
    [
      r.domain.padEnd(16),
      String(r.attempts).padStart(8),
      String(r.passed).padStart(6),
      rates(r),
      (r.bestTimeMs === undefined ? "-" : formatDuration(r.bestTimeMs)).padStart(9),
      String(r.assisted).padStart(8),
    ].join(" ");
  const tried = competencies.filter((c) => c.attempts > 0);
  const competencyRow = (c: CompetencyProgress) =>
    [
      c.competency.padEnd(22),
      c.domain.padEnd(16),
      String(c.attempts).padStart(8),
      String(c.passed).padStart(6),
      rates(c),
    ].join(" ");
  const lines = [
    "RATE: all attempts; EARLIER and RECENT: the older and the newer half of each row's attempts.",
    "",
    `${"DOMAIN".padEnd(16)} ATTEMPTS PASSED  RATE EARLIER RECENT BEST TIME ASSISTED`,
    ...domains.map(domainRow),
    "",
    ...(tried.length > 0
      ? [
          `${"COMPETENCY".padEnd(22)} ${"DOMAIN".padEnd(16)} ATTEMPTS PASSED  RATE EARLIER RECENT`,
          ...tried.map(competencyRow),
        ]
      : []),
    `Not tried yet: ${competencies.length - tried.length} of the ${competencies.length} competencies the catalog has tasks for${tried.length === 0 ? "" : " (progress --json lists them all)"}.`,
    "",
    weakest ? `Weakest domain: ${weakest}.` : "No attempts yet.",
  ];
  if (next.length > 0) {
    lines.push(
      "Next: the weakest competency first (by its RECENT rate; untried counts as 0%, after failed), tasks new to you first.",
      ...next.flatMap((n, i) => nextLines(n, i + 1)),
      'Start one with kubedrill start <task>, or kubedrill practice: its "Suggested" is the first.',
    );
  }
  if (exams.last) {
    const last = `${exams.last.passed ? "PASS" : "FAIL"} ${exams.last.percent.toFixed(1)}%${exams.last.late ? " (late)" : ""}`;
    lines.push(
      `Mock exams: ${exams.taken} taken, ${exams.passed} passed, best ${exams.bestPercent?.toFixed(1)}%, last ${last}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function nextLines({ loaded, tried, competency }: NextTask, n: number): string[] {
  const { task } = loaded;
  const area = task.competency ? `${task.domain}/${task.competency}` : task.domain;
  const how =
    competency.attempts === 0
      ? "not tried yet"
      : `recently ${competency.passed}/${competency.attempts} passed (${percent(competency.passRate)})`;
  const mine = tried === 0 ? "a task new to you" : `tried ${tried} time${tried === 1 ? "" : "s"}`;
  return [`  ${n}. kubedrill start ${task.id}  (${task.title})`, `     ${area}: ${how}; ${mine}`];
}

/** `progress --json`, for dashboards: the view with each next task as plain data (docs/practice.md). */
export function progressJson(history: string, view: ProgressView): string {
  const next = view.next.map(({ loaded: { task }, tried, competency }) => ({
    id: task.id,
    title: task.title,
    domain: task.domain,
    competency: task.competency,
    tried,
    competencyRecent: competency,
  }));
  return `${JSON.stringify({ history, ...view, next }, null, 2)}\n`;
}
