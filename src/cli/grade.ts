import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { findTask } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import { grade } from "../engine/run.js";
import { ExitCode, UsageError } from "../errors.js";
import type { GradeReport } from "../model/results.js";
import { renderHuman } from "../report/human.js";
import { renderJson } from "../report/json.js";
import { renderJunit } from "../report/junit.js";
import { appendRecords, gradeRecords } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { connectFor, type GlobalOptions, globals, loadTask, loadTasks } from "./common.js";
import { exitWith, progress, useColor } from "./output.js";

interface ReportOptions {
  json?: boolean;
  junit?: string;
}

async function output(report: GradeReport, options: ReportOptions): Promise<void> {
  if (options.junit) await writeFile(options.junit, renderJunit(report));
  if (options.json) process.stdout.write(renderJson(report));
  else process.stdout.write(renderHuman(report, { color: useColor() }));
}

async function gradeAndReport(
  tasks: LoadedTask[],
  options: GlobalOptions & ReportOptions,
  passMark: number,
  source: "check" | "grade",
) {
  const target = await connectFor(options);
  const report = await grade(tasks, target, passMark, (task, titles, seconds) => {
    if (process.stderr.isTTY) progress(`${task}: waiting up to ${seconds}s for: ${titles.join("; ")}`);
  });
  await output(report, options);
  await appendRecords(historyFile(), gradeRecords(report, source));
  return report;
}

export function registerCheck(program: Command): void {
  program
    .command("check <task>")
    .description("grade one task now: each check with points and reasons")
    .option("--json", "print the result as JSON on stdout")
    .option("--junit <file>", "also write a JUnit XML report")
    .action(
      exitWith(async (id: string, flags: ReportOptions, command: Command) => {
        const options = { ...globals(command), ...flags };
        const report = await gradeAndReport([await loadTask(options, id)], options, 100, "check");
        return report.tasks.every((t) => t.passed) ? ExitCode.ok : ExitCode.belowMark;
      }),
    );
}

export function registerGrade(program: Command): void {
  program
    .command("grade [tasks...]")
    .description("grade several tasks (or --all) against a pass mark, for CI")
    .option("--all", "grade every task in the catalog")
    .option("--json", "print the report as JSON on stdout")
    .option("--junit <file>", "also write a JUnit XML report")
    .option("--pass-mark <percent>", "percentage of points needed to pass", "66")
    .action(
      exitWith(
        async (
          ids: string[],
          flags: ReportOptions & { all?: boolean; passMark: string },
          command: Command,
        ) => {
          const options = { ...globals(command), ...flags };
          const passMark = Number(flags.passMark);
          if (!Number.isFinite(passMark) || passMark < 0 || passMark > 100) {
            throw new UsageError(`--pass-mark must be a percentage from 0 to 100, not "${flags.passMark}"`);
          }
          if (ids.length > 0 === Boolean(flags.all)) {
            throw new UsageError(
              "name the tasks to grade or pass --all",
              "kubedrill grade pod-run-nginx static-pod",
            );
          }
          const all = await loadTasks(options);
          const tasks = flags.all ? all : ids.map((id) => findTask(all, id));
          const report = await gradeAndReport(tasks, options, passMark, "grade");
          return report.passed ? ExitCode.ok : ExitCode.belowMark;
        },
      ),
    );
}
