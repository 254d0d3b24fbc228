import type { CheckResult, GradeReport, TaskResult } from "../model/results.js";

const SCHEMA = "kubedrill.grade/v1";

/**
 * The report as pretty JSON for scripts. Objects are rebuilt field by field so the key order
 * stays the same whatever order the engine filled them in, and only documented fields get out.
 * Ends with a newline.
 */
export function renderJson(report: GradeReport): string {
  const document = {
    schema: SCHEMA,
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
  return `${JSON.stringify(document, null, 2)}\n`;
}

function taskDocument(task: TaskResult) {
  return {
    id: task.id,
    title: task.title,
    domain: task.domain,
    passed: task.passed,
    earned: task.earned,
    total: task.total,
    durationMs: task.durationMs,
    checks: task.checks.map(checkDocument),
  };
}

function checkDocument(check: CheckResult) {
  return {
    title: check.title,
    points: check.points,
    earned: check.earned,
    passed: check.passed,
    skipped: check.skipped,
    reasons: check.reasons,
    durationMs: check.durationMs,
  };
}
