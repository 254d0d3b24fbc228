import * as z from "zod";
import { UsageError } from "../errors.js";
import type { TaskResult } from "../model/results.js";
import { reportDocumentOf } from "../report/json.js";
import { reportDocument } from "../report/json-schema.js";
import { type ExamResult, examSchema, readStateFile, writeStateFile } from "./exam.js";

/**
 * The last submitted exam, kept so that `exam review` works in a later process, even
 * after the cluster is gone: the grade report as `grade --json` writes it, and the
 * reference solution of every task that lost points with its {{vars}} filled from the
 * cluster at submit, as check filled them.
 */
const reviewSchema = z.object({
  version: z.literal(1),
  exam: examSchema,
  submittedAt: z.string(),
  passed: z.boolean(),
  late: z.boolean(),
  durationMs: z.number(),
  report: reportDocument,
  /** By task id; only tasks that lost points. */
  solutions: z.record(z.string(), z.string()),
});

export type ExamReview = z.infer<typeof reviewSchema>;

export function examReview(
  { exam, report, passed, late, durationMs }: ExamResult,
  solutions: Record<string, string>,
  submittedAt: Date,
): ExamReview {
  return {
    version: 1,
    exam,
    submittedAt: submittedAt.toISOString(),
    passed,
    late,
    durationMs,
    report: reportDocumentOf(report),
    solutions,
  };
}

/** Tasks that lost points: every check failed or not, and not skipped for want of a capability. */
export function lostPoints(tasks: TaskResult[]): TaskResult[] {
  return tasks.filter((t) => !t.passed && t.skipped === undefined);
}

export const saveReview = (file: string, review: ExamReview) => writeStateFile(file, review);

export async function loadReview(file: string): Promise<ExamReview> {
  const review = await readStateFile(file, reviewSchema, {
    what: "a mock exam result",
    again: "kubedrill exam start",
  });
  if (!review) {
    throw new UsageError(
      "no submitted mock exam to review",
      "take one: kubedrill exam start, then kubedrill exam submit",
    );
  }
  return review;
}
