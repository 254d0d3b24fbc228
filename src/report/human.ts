import type { CheckResult, GradeReport, TaskResult } from "../model/results.js";
import { checkReasons } from "./reasons.js";

export interface HumanOptions {
  color: boolean;
}

type Paint = (text: string) => string;

interface Palette {
  good: Paint;
  bad: Paint;
  dim: Paint;
  bold: Paint;
}

// Each style closes with its own reset code so nested styles (a green ✓ inside a bold line) survive.
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Palette = { good: sgr(32, 39), bad: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };

const unchanged: Paint = (text) => text;
const PLAIN: Palette = { good: unchanged, bad: unchanged, dim: unchanged, bold: unchanged };

/** The terminal view: one block per task, then the total. Ends with a newline. */
export function renderHuman(report: GradeReport, options: HumanOptions): string {
  const paint = options.color ? ANSI : PLAIN;
  const blocks = report.tasks.map((task) => renderTask(task, paint).join("\n"));
  return `${[...blocks, renderTotal(report, paint)].join("\n\n")}\n`;
}

/** One task's block (header and checks) without a total, for interactive practice. Ends with a newline. */
export function renderTaskHuman(task: TaskResult, options: HumanOptions): string {
  return `${renderTask(task, options.color ? ANSI : PLAIN).join("\n")}\n`;
}

function renderTask(task: TaskResult, paint: Palette): string[] {
  const header = paint.bold(`${task.id}  ${task.title}  ${task.earned}/${task.total} points`);
  return [header, ...task.checks.flatMap((check) => renderCheck(check, paint))];
}

function renderCheck(check: CheckResult, paint: Palette): string[] {
  if (check.skipped !== undefined) {
    return [paint.dim(`  - ${check.title}  (skipped: ${check.skipped})`)];
  }
  const score = `(${check.earned}/${check.points})`;
  if (check.passed) {
    return [`  ${paint.good("✓")} ${check.title}  ${score}`];
  }
  // A reason can span lines (e.g. a CEL error); every line keeps the indentation.
  const reasonLines = checkReasons(check).flatMap((reason) => reason.split("\n"));
  return [
    `  ${paint.bad("✗")} ${check.title}  ${score}`,
    ...reasonLines.map((line) => paint.dim(`      ${line}`)),
  ];
}

function renderTotal(report: GradeReport, paint: Palette): string {
  const score = `Total ${report.earned}/${report.total} points (${report.percent.toFixed(1)}%)`;
  // `check` grades against every check (mark 100%); "all checks" says that more plainly.
  const mark = report.passMark === 100 ? "every check" : `pass mark ${report.passMark}%`;
  const verdict = report.passed
    ? paint.good(`PASSED (${mark})`)
    : paint.bad(
        report.passMark === 100
          ? "not passed yet: every check must pass"
          : `below the pass mark of ${report.passMark}%`,
      );
  return `${paint.bold(score)} — ${verdict}`;
}
