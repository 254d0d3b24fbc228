import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import type { LoadedTask } from "../catalog/load.js";
import { totalPoints } from "../engine/run.js";
import { UsageError } from "../errors.js";
import type { Domain } from "../model/domains.js";
import type { GradeReport } from "../model/results.js";
import { selectExamTasks } from "./exam-select.js";

export const examPassMark = 66;

const examSchema = z.object({
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
    }),
  ),
});

export type Exam = z.infer<typeof examSchema>;

export interface ExamOptions {
  /** How many tasks; at most as many as the catalog offers. */
  count: number;
  /** Time allowed; default the sum of the tasks' own budgets. */
  minutes?: number;
  seed?: string;
  domains?: readonly Domain[];
}

export const newSeed = () => randomBytes(3).toString("hex");

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
  const minutes = options.minutes ?? Math.ceil(tasks.reduce((sum, t) => sum + t.minutes, 0));
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

/** The exam in progress, or undefined when there is none. */
export async function loadExam(file: string): Promise<Exam | undefined> {
  if (!existsSync(file)) return undefined;
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    const what = err.code === "EISDIR" ? "is a folder, not a mock exam file" : `cannot be read (${err.code})`;
    throw new UsageError(
      `${file} ${what}`,
      `remove it and start again: rm -r ${file} && kubedrill exam start`,
    );
  });
  let parsed: ReturnType<typeof examSchema.safeParse> | undefined;
  try {
    parsed = examSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    throw new UsageError(
      `${file} is not a mock exam kubedrill can read`,
      `delete it and start again: rm ${file} && kubedrill exam start`,
    );
  }
  return parsed.data;
}

export async function requireExam(file: string): Promise<Exam> {
  const exam = await loadExam(file);
  if (!exam) throw new UsageError("no mock exam is running", "start one: kubedrill exam start");
  return exam;
}

/** Writes to a temporary file and renames it, so a kill mid-write never leaves half an exam. */
export async function saveExam(file: string, exam: Exam): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(exam, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}

export async function removeExam(file: string): Promise<void> {
  await rm(file, { force: true });
}
