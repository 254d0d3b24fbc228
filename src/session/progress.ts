import { byWeight } from "../catalog/curriculum.js";
import type { LoadedTask } from "../catalog/load.js";
import type { Domain } from "../model/domains.js";
import type { HistoryRecord, TaskRecord } from "./history.js";

/** One attempt at one task: the checks of a practice run, or one task of an exam. */
interface Attempt {
  task: string;
  domain: string;
  passed: boolean;
  assisted: boolean;
  /** Time to the first unassisted pass. */
  passedAfterMs?: number;
}

export interface DomainProgress {
  domain: Domain;
  attempts: number;
  /** Attempts passed without seeing the solution. */
  passed: number;
  /** passed / attempts, 0..1; undefined before the first attempt. */
  passRate?: number;
  bestTimeMs?: number;
  /** Attempts in which the solution was shown. */
  assisted: number;
}

function attempts(records: HistoryRecord[]): Attempt[] {
  const groups = new Map<string, TaskRecord[]>();
  records.forEach((record, i) => {
    if (record.type !== "task") return;
    // Without an attempt id (a one-off `check`), every grade is its own attempt.
    const key = record.attempt ? `${record.attempt}/${record.task}` : `#${i}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  });
  return [...groups.values()].map((grades) => {
    const first = grades[0] as TaskRecord;
    const pass = grades.find((g) => g.passed && !g.assisted);
    return {
      task: first.task,
      domain: first.domain,
      passed: pass !== undefined,
      assisted: grades.some((g) => g.assisted),
      passedAfterMs: pass?.durationMs,
    };
  });
}

/** Per-domain attempts, passes and best time, for every CKA domain, heaviest first. */
export function domainProgress(records: HistoryRecord[]): DomainProgress[] {
  const all = attempts(records);
  return byWeight.map((domain) => {
    const mine = all.filter((a) => a.domain === domain);
    const passed = mine.filter((a) => a.passed);
    const times = passed.flatMap((a) => (a.passedAfterMs === undefined ? [] : [a.passedAfterMs]));
    return {
      domain,
      attempts: mine.length,
      passed: passed.length,
      passRate: mine.length === 0 ? undefined : passed.length / mine.length,
      bestTimeMs: times.length === 0 ? undefined : Math.min(...times),
      assisted: mine.filter((a) => a.assisted).length,
    };
  });
}

/** The attempted domain with the lowest pass rate; on a tie, the one the exam weighs more. */
export function weakestDomain(rows: DomainProgress[]): Domain | undefined {
  const tried = rows.filter((r) => r.passRate !== undefined);
  // rows come heaviest first and sort is stable, so ties keep the heavier domain first.
  return tried.sort((a, b) => (a.passRate as number) - (b.passRate as number))[0]?.domain;
}

/** Tasks passed at least once without the solution. */
export function passedTasks(records: HistoryRecord[]): Set<string> {
  return new Set(attempts(records).flatMap((a) => (a.passed ? [a.task] : [])));
}

const difficultyRank = { easy: 0, medium: 1, hard: 2 };

/**
 * What to practise next: a domain never tried (heaviest first), else the weakest
 * one; within it, tasks not yet passed first, then the least tried, the easiest.
 */
export function suggestTask(tasks: LoadedTask[], records: HistoryRecord[]): LoadedTask | undefined {
  const offered = new Set(tasks.map((t) => t.task.domain));
  const rows = domainProgress(records).filter((r) => offered.has(r.domain));
  const domain = rows.find((r) => r.attempts === 0)?.domain ?? weakestDomain(rows);
  const passed = passedTasks(records);
  const tries = new Map<string, number>();
  for (const a of attempts(records)) tries.set(a.task, (tries.get(a.task) ?? 0) + 1);
  const rank = (t: LoadedTask) => [
    passed.has(t.task.id) ? 1 : 0,
    tries.get(t.task.id) ?? 0,
    difficultyRank[t.task.difficulty],
  ];
  return tasks
    .filter((t) => t.task.domain === domain)
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      const differs = ra.findIndex((v, i) => v !== rb[i]);
      return differs === -1
        ? a.task.id.localeCompare(b.task.id)
        : (ra[differs] as number) - (rb[differs] as number);
    })[0];
}

export interface ExamSummary {
  taken: number;
  passed: number;
  bestPercent?: number;
  last?: { at: string; percent: number; passed: boolean; late: boolean };
}

export function examSummary(records: HistoryRecord[]): ExamSummary {
  const exams = records.filter((r) => r.type === "exam");
  const last = exams.at(-1);
  return {
    taken: exams.length,
    passed: exams.filter((e) => e.passed).length,
    bestPercent: exams.length === 0 ? undefined : Math.max(...exams.map((e) => e.percent)),
    last: last && { at: last.at, percent: last.percent, passed: last.passed, late: last.late },
  };
}
