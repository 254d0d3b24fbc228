import type { CheckResult, GradeReport, TaskResult } from "../model/results.js";
import { type ReportDocument, reportVersion } from "./json-schema.js";
import { checkReasons } from "./reasons.js";

/**
 * The report as pretty JSON for scripts (its schema: docs/report.schema.json). Objects are
 * rebuilt field by field so the key order stays the same whatever order the engine filled
 * them in, and only documented fields get out. Ends with a newline.
 */
export function renderJson(report: GradeReport): string {
  return `${JSON.stringify(reportDocumentOf(report), null, 2)}\n`;
}

/** The report as the documented JSON document (docs/report.schema.json), e.g. to keep on disk. */
export function reportDocumentOf(report: GradeReport): ReportDocument {
  return {
    schema: reportVersion,
    startedAt: report.startedAt,
    context: report.context,
    passed: report.passed,
    percent: report.percent,
    passMark: report.passMark,
    earned: report.earned,
    total: report.total,
    durationMs: report.durationMs,
    tasks: report.tasks.map(taskDocument),
  };
}

function taskDocument(task: TaskResult): ReportDocument["tasks"][number] {
  return {
    id: task.id,
    title: task.title,
    domain: task.domain,
    seed: task.seed,
    passed: task.passed,
    skipped: task.skipped,
    earned: task.earned,
    total: task.total,
    durationMs: task.durationMs,
    checks: task.checks.map(checkDocument),
  };
}

function checkDocument(check: CheckResult): ReportDocument["tasks"][number]["checks"][number] {
  return {
    title: check.title,
    points: check.points,
    earned: check.earned,
    passed: check.passed,
    skipped: check.skipped,
    mismatches: check.mismatches.map((m) => ({
      path: m.path,
      found: m.found,
      want: m.want,
      message: m.message,
      object: m.object,
      access: m.access,
    })),
    error: check.error,
    reasons: checkReasons(check),
    durationMs: check.durationMs,
  };
}
