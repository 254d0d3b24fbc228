import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import { byWeight } from "../catalog/curriculum.js";
import type { LoadedTask } from "../catalog/load.js";
import { type Capabilities, skipReason } from "../engine/requires.js";
import { newSeed, totalPoints } from "../engine/run.js";
import { UsageError } from "../errors.js";
import type { Domain } from "../model/domains.js";
import type { GradeReport } from "../model/results.js";
import { selectExamTasks } from "./exam-select.js";

export const examPassMark = 66;

/** The CKA's shape: 17 tasks in 120 minutes. Fewer tasks get the same pace. */
export const ckaExam = { count: 17, minutes: 120 } as const;

/** Minutes for n tasks at the CKA's pace, rounded up: 17 → 120, 4 → 29. */
export const ckaMinutes = (tasks: number) => Math.ceil((ckaExam.minutes * tasks) / ckaExam.count);

export const examSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  seed: z.string(),
  /** The kubeconfig context the tasks were set up on; later commands grade there. */
  context: z.string(),
  /** Extra catalog folders (--tasks) the exam's tasks may come from. */
  catalogs: z.array(z.string()),
  /** The --domain choice, for the command that repeats this exam. */
  domains: z.array(z.string()).optional(),
  startedAt: z.string(),
  endsAt: z.string(),
  minutes: z.number(),
  passMark: z.number(),
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      domain: z.string(),
      points: z.number(),
      minutes: z.number(),
      /** Marked by `exam flag` to come back to; status and the results show it. */
      flagged: z.boolean().optional(),
    }),
  ),
});

export type Exam = z.infer<typeof examSchema>;

export interface ExamOptions {
  /** How many tasks; at most as many as the catalog offers. */
  count: number;
  /** Time allowed; default the CKA's pace for the tasks drawn (ckaMinutes). */
  minutes?: number;
  seed?: string;
  domains?: readonly Domain[];
}

/** Why an exam has fewer tasks than asked for: the catalog's tasks in its domains, and those the cluster cannot run. */
export interface Shortfall {
  wanted: number;
  inScope: number;
  cannotRun: { id: string; reason: string }[];
}

/**
 * The tasks an exam may draw from: those of its domains that this cluster can run (the
 * others would fail their setup). `inScope` and `cannotRun` say why an exam came out short.
 */
export function examPool(
  catalog: LoadedTask[],
  domains: readonly Domain[] | undefined,
  capabilities: Capabilities | undefined,
): { pool: LoadedTask[]; inScope: number; cannotRun: Shortfall["cannotRun"] } {
  const inScope = catalog.filter((t) => !domains || domains.includes(t.task.domain));
  const cannotRun = inScope.flatMap(({ task }) => {
    const reason = skipReason(task.requires, capabilities);
    return reason ? [{ id: task.id, reason }] : [];
  });
  const pool = inScope.filter((t) => !cannotRun.some((c) => c.id === t.task.id));
  return { pool, inScope: inScope.length, cannotRun };
}

/** Chooses the exam's tasks; the clock is set by `startClock` once they are all set up. */
export function planExam(
  catalog: LoadedTask[],
  options: ExamOptions,
  where: { context: string; catalogs: string[] },
): { exam: Exam; chosen: LoadedTask[] } {
  const seed = options.seed ?? newSeed();
  const chosen = selectExamTasks(
    catalog.map((loaded) => ({ id: loaded.task.id, domain: loaded.task.domain, loaded })),
    { count: options.count, seed, domains: options.domains },
  ).map((t) => t.loaded);
  if (chosen.length === 0) {
    throw new UsageError(
      `the catalog has no tasks in ${options.domains?.join(", ") ?? "any domain"}`,
      "list the tasks with: kubedrill list",
    );
  }
  const tasks = chosen.map(({ task }, i) => ({
    id: task.id,
    title: task.title,
    domain: task.domain,
    points: totalPoints(chosen[i] as LoadedTask),
    minutes: task.minutes,
  }));
  const minutes = options.minutes ?? ckaMinutes(tasks.length);
  const exam: Exam = {
    version: 1,
    id: randomBytes(4).toString("hex"),
    seed,
    ...where,
    domains: options.domains && [...options.domains],
    startedAt: "",
    endsAt: "",
    minutes,
    passMark: examPassMark,
    tasks,
  };
  return { exam, chosen };
}

export function startClock(exam: Exam, now: Date): Exam {
  const endsAt = new Date(now.getTime() + exam.minutes * 60_000);
  return { ...exam, startedAt: now.toISOString(), endsAt: endsAt.toISOString() };
}

/** Milliseconds left; negative once the time is up. */
export function timeLeft(exam: Exam, now: Date): number {
  return Date.parse(exam.endsAt) - now.getTime();
}

/** Checks that n names one of the exam's tasks (1-based), as status numbers them. */
export function taskNumber(exam: Exam, n: number, hint = "kubedrill exam status lists them"): number {
  if (n > exam.tasks.length) throw new UsageError(`the exam has ${exam.tasks.length} tasks, not ${n}`, hint);
  return n;
}

/** Task n (1-based) flagged to come back to, or no longer; an unflagged task has no flag field. */
export function setFlag(exam: Exam, n: number, flagged: boolean): Exam {
  taskNumber(exam, n);
  const tasks = exam.tasks.map((task, i) => {
    if (i !== n - 1) return task;
    const { flagged: _, ...rest } = task;
    return flagged ? { ...rest, flagged } : rest;
  });
  return { ...exam, tasks };
}

export interface ExamResult {
  exam: Exam;
  report: GradeReport;
  passed: boolean;
  /** Submitted after the time was up: still graded, and marked so. */
  late: boolean;
  durationMs: number;
}

export function examResult(exam: Exam, report: GradeReport, submittedAt: Date): ExamResult {
  return {
    exam,
    report,
    passed: report.percent >= exam.passMark,
    late: timeLeft(exam, submittedAt) < 0,
    durationMs: submittedAt.getTime() - Date.parse(exam.startedAt),
  };
}

/** One domain's share of a graded exam; tasks the cluster could not run are left out. */
export interface DomainScore {
  domain: Domain;
  tasks: number;
  passed: number;
  earned: number;
  total: number;
  /** earned / total × 100, one decimal; undefined when the domain's tasks have no points. */
  percent?: number;
}

/** The report summed up per domain, heaviest domain first; only the domains the exam had. */
export function domainScores(report: GradeReport): DomainScore[] {
  return byWeight.flatMap((domain) => {
    const mine = report.tasks.filter((t) => t.domain === domain && t.skipped === undefined);
    if (mine.length === 0) return [];
    const earned = mine.reduce((sum, t) => sum + t.earned, 0);
    const total = mine.reduce((sum, t) => sum + t.total, 0);
    return [
      {
        domain,
        tasks: mine.length,
        passed: mine.filter((t) => t.passed).length,
        earned,
        total,
        percent: total === 0 ? undefined : Math.round((earned / total) * 1000) / 10,
      },
    ];
  });
}

/** The exam in progress, or undefined when there is none. */
export function loadExam(file: string): Promise<Exam | undefined> {
  return readStateFile(file, examSchema, {
    what: "a mock exam",
    again: "kubedrill exam start",
  });
}

/**
 * A JSON file kubedrill keeps between commands, checked against its schema; undefined when
 * absent. A folder in its place or a file that does not parse says how to start over.
 */
export async function readStateFile<T>(
  file: string,
  schema: z.ZodType<T>,
  name: { what: string; again: string },
): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "EISDIR" ? `is a folder, not ${name.what} file` : `cannot be read (${err.code})`;
    throw new UsageError(`${file} ${why}`, `remove it and start again: rm -r ${file} && ${name.again}`);
  });
  let parsed: ReturnType<typeof schema.safeParse> | undefined;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw new UsageError(
      `${file} is not ${name.what} kubedrill can read`,
      `delete it and start again: rm ${file} && ${name.again}`,
    );
  }
  return parsed.data;
}

export async function requireExam(file: string): Promise<Exam> {
  const exam = await loadExam(file);
  if (!exam) throw new UsageError("no mock exam is running", "start one: kubedrill exam start");
  return exam;
}

export const saveExam = (file: string, exam: Exam) => writeStateFile(file, exam);

/** Writes to a temporary file and renames it, so a kill mid-write never leaves half a file. */
export async function writeStateFile(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}

export async function removeExam(file: string): Promise<void> {
  await rm(file, { force: true });
}
