import { byWeight, competencies, competencyIds } from "../catalog/curriculum.js";
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

/** The history's attempts, oldest first (the history is appended to in time order). */
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

/** Attempts, those passed, and the share passed (0..1; undefined without attempts). */
export interface Rate {
  attempts: number;
  passed: number;
  passRate?: number;
}

/**
 * A row's attempts split in time: the older half and the newer half (which takes the odd
 * one), so that "recent" says how the learner does now and "earlier" how they did before.
 */
export interface Trend {
  earlier: Rate;
  recent: Rate;
}

export interface DomainProgress extends Trend {
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

export interface CompetencyProgress extends Trend {
  domain: Domain;
  competency: string;
  title: string;
  /** The catalog's tasks for it. */
  tasks: number;
  attempts: number;
  passed: number;
  passRate?: number;
}

function rate(attempts: Attempt[]): Rate {
  const passed = attempts.filter((a) => a.passed).length;
  return {
    attempts: attempts.length,
    passed,
    passRate: attempts.length === 0 ? undefined : passed / attempts.length,
  };
}

function trend(attempts: Attempt[]): Trend {
  const half = Math.floor(attempts.length / 2);
  return { earlier: rate(attempts.slice(0, half)), recent: rate(attempts.slice(half)) };
}

/** Per-domain attempts, passes, trend and best time, for every CKA domain, heaviest first. */
export function domainProgress(records: HistoryRecord[]): DomainProgress[] {
  const all = attempts(records);
  return byWeight.map((domain) => {
    const mine = all.filter((a) => a.domain === domain);
    const passed = mine.filter((a) => a.passed);
    const times = passed.flatMap((a) => (a.passedAfterMs === undefined ? [] : [a.passedAfterMs]));
    return {
      domain,
      ...rate(mine),
      bestTimeMs: times.length === 0 ? undefined : Math.min(...times),
      assisted: mine.filter((a) => a.assisted).length,
      ...trend(mine),
    };
  });
}

/**
 * Per-competency attempts and trend, in curriculum order, for every competency the catalog
 * has tasks for or the history has attempts at. A task's competency is the catalog's
 * (attempts at tasks no longer in it count for their domain only).
 */
export function competencyProgress(records: HistoryRecord[], catalog: LoadedTask[]): CompetencyProgress[] {
  const competencyOf = new Map(catalog.map((t) => [t.task.id, t.task.competency]));
  const all = attempts(records);
  return byWeight.flatMap((domain) =>
    competencyIds(domain).flatMap((competency) => {
      const tasks = catalog.filter((t) => t.task.domain === domain && t.task.competency === competency);
      const mine = all.filter((a) => a.domain === domain && competencyOf.get(a.task) === competency);
      if (tasks.length === 0 && mine.length === 0) return [];
      const title = (competencies[domain] as Record<string, string>)[competency] ?? competency;
      return [{ domain, competency, title, tasks: tasks.length, ...rate(mine), ...trend(mine) }];
    }),
  );
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

/** A task to do next, and why: how often it was tried, how its competency is going. */
export interface NextTask {
  loaded: LoadedTask;
  /** Attempts at this task; 0: never tried. */
  tried: number;
  /** The recent rate of the task's competency (of its domain when the task names none). */
  competency: Rate;
}

/** Compares rank tuples element by element. */
const byRank = (a: number[], b: number[]) => {
  const differs = a.findIndex((v, i) => v !== b[i]);
  return differs === -1 ? 0 : (a[differs] as number) - (b[differs] as number);
};

/**
 * What to do next: one task from each of the `count` weakest competencies, by the recent
 * pass rate. An untried competency counts as 0%, after those that failed recently (the
 * more failures, the weaker); further ties go to the heavier domain, then curriculum
 * order. Within a competency: tasks never tried first, then not yet passed, the least
 * tried, the easiest. With fewer competencies than `count`, the weakest give a second
 * task, and so on.
 */
export function nextTasks(catalog: LoadedTask[], records: HistoryRecord[], count = 3): NextTask[] {
  const all = attempts(records);
  const passed = passedTasks(records);
  const tries = new Map<string, number>();
  for (const a of all) tries.set(a.task, (tries.get(a.task) ?? 0) + 1);
  const groupOf = ({ task }: LoadedTask) => `${task.domain}/${task.competency ?? ""}`;
  const groups = new Map<string, LoadedTask[]>();
  for (const t of catalog) groups.set(groupOf(t), [...(groups.get(groupOf(t)) ?? []), t]);
  const ranked = [...groups.values()].map((tasks) => {
    const ids = new Set(tasks.map((t) => t.task.id));
    const recent = trend(all.filter((a) => ids.has(a.task))).recent;
    const { domain, competency } = (tasks[0] as LoadedTask).task;
    const order = [
      recent.passRate ?? 0,
      -recent.attempts,
      byWeight.indexOf(domain),
      competency === undefined ? -1 : competencyIds(domain).indexOf(competency),
    ];
    const taskRank = ({ task }: LoadedTask) => {
      const n = tries.get(task.id) ?? 0;
      return [n > 0 ? 1 : 0, passed.has(task.id) ? 1 : 0, n, difficultyRank[task.difficulty]];
    };
    const sorted = [...tasks].sort(
      (a, b) => byRank(taskRank(a), taskRank(b)) || a.task.id.localeCompare(b.task.id),
    );
    return { order, recent, sorted };
  });
  ranked.sort((a, b) => byRank(a.order, b.order));
  const next: NextTask[] = [];
  for (let round = 0; next.length < count && ranked.some((g) => g.sorted.length > round); round++) {
    for (const group of ranked) {
      const loaded = group.sorted[round];
      if (loaded && next.length < count)
        next.push({ loaded, tried: tries.get(loaded.task.id) ?? 0, competency: group.recent });
    }
  }
  return next;
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
