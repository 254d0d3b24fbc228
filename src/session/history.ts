import { existsSync } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod";
import { UsageError } from "../errors.js";
import type { GradeReport } from "../model/results.js";

/**
 * The learner's history: one JSON record per line, only ever appended to, so a
 * crash or kill mid-write can damage at most the line being written; readers
 * skip a damaged line instead of failing.
 */
const taskRecordSchema = z.object({
  type: z.literal("task"),
  /** ISO time of the grade. */
  at: z.string(),
  source: z.enum(["practice", "check", "grade", "exam"]),
  task: z.string(),
  domain: z.string(),
  earned: z.number(),
  total: z.number(),
  passed: z.boolean(),
  /** From the task's start to this grade; absent where unknown (exam tasks share the exam's clock). */
  durationMs: z.number().optional(),
  /** The reference solution was shown before this grade. */
  assisted: z.boolean(),
  hints: z.number().optional(),
  /** Groups the checks of one practice attempt, or the tasks of one exam. */
  attempt: z.string().optional(),
  /** The instance graded, for a task with drawn variables: `kubedrill start TASK --seed SEED` repeats it. */
  seed: z.string().optional(),
});

const examRecordSchema = z.object({
  type: z.literal("exam"),
  at: z.string(),
  exam: z.string(),
  seed: z.string(),
  tasks: z.array(z.string()),
  earned: z.number(),
  total: z.number(),
  percent: z.number(),
  passMark: z.number(),
  passed: z.boolean(),
  /** Submitted after the time was up. */
  late: z.boolean(),
  durationMs: z.number(),
});

const recordSchema = z.discriminatedUnion("type", [taskRecordSchema, examRecordSchema]);

export type TaskRecord = z.infer<typeof taskRecordSchema>;
export type ExamRecord = z.infer<typeof examRecordSchema>;
export type HistoryRecord = z.infer<typeof recordSchema>;

export interface History {
  records: HistoryRecord[];
  /** 1-based numbers of lines that were not a record (a torn last write, a hand edit). */
  skipped: number[];
}

export function parseHistory(text: string): History {
  const records: HistoryRecord[] = [];
  const skipped: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let parsed: ReturnType<typeof recordSchema.safeParse>;
    try {
      parsed = recordSchema.safeParse(JSON.parse(line));
    } catch {
      skipped.push(i + 1);
      return;
    }
    if (parsed.success) records.push(parsed.data);
    else skipped.push(i + 1);
  });
  return { records, skipped };
}

export async function readHistory(file: string): Promise<History> {
  if (!existsSync(file)) return { records: [], skipped: [] };
  return parseHistory(await readFile(file, "utf8").catch(unusable(file)));
}

/** A history path that is a folder or cannot be read or written: say so, and how to start afresh. */
function unusable(file: string) {
  return (err: NodeJS.ErrnoException): never => {
    const what =
      err.code === "EISDIR"
        ? "is a folder, not a history file"
        : `cannot be used (${err.code ?? err.message})`;
    throw new UsageError(
      `the history ${file} ${what}`,
      `move it aside and kubedrill starts a new history: mv ${file} ${file}.old`,
    );
  };
}

/**
 * Appends records with one write. When the file ends in a torn line (no newline),
 * the new records start on a fresh line so that they are not lost with it.
 */
export async function appendRecords(file: string, records: HistoryRecord[]): Promise<void> {
  if (records.length === 0) return;
  await mkdir(dirname(file), { recursive: true }).catch(unusable(file));
  const handle = await open(file, "a+", 0o600).catch(unusable(file));
  try {
    const { size } = await handle.stat();
    let lead = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last.toString() !== "\n") lead = "\n";
    }
    await handle.appendFile(`${lead}${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  } finally {
    await handle.close();
  }
}

export interface HistoryStore {
  read(): Promise<HistoryRecord[]>;
  append(record: HistoryRecord): Promise<void>;
}

export function fileHistory(file: string): HistoryStore {
  return {
    read: async () => (await readHistory(file)).records,
    append: (record) => appendRecords(file, [record]),
  };
}

/** One record per graded task of a report, as `check` and `grade` write them. */
export function gradeRecords(report: GradeReport, source: "check" | "grade"): TaskRecord[] {
  return report.tasks.map((task) => ({
    type: "task",
    at: report.startedAt,
    source,
    task: task.id,
    domain: task.domain,
    earned: task.earned,
    total: task.total,
    passed: task.passed,
    assisted: false,
    seed: task.seed,
  }));
}
