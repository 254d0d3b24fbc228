import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { LoadedTask } from "../catalog/load.js";
import { grade } from "../engine/run.js";
import type { GradeReport } from "../model/results.js";
import { renderHuman } from "../report/human.js";
import { renderJson } from "../report/json.js";
import { renderJunit } from "../report/junit.js";
import { appendRecords, gradeRecords } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { connectFor } from "./common.js";
import { progress, useColor } from "./io.js";
import type { CommandContext } from "./program.js";

/** The output flags check and grade share. */
export interface ReportFlags {
  json?: boolean;
  junit?: string;
}

/** Grades on the context's cluster, prints the report as asked, and records it in the history. */
export async function gradeAndReport(
  { io, options }: CommandContext,
  tasks: LoadedTask[],
  flags: ReportFlags,
  passMark: number,
  source: "check" | "grade",
): Promise<GradeReport> {
  const target = await connectFor(options);
  const report = await grade(tasks, target, passMark, (task, titles, seconds) => {
    if (io.stderr.isTTY) progress(io, `${task}: waiting up to ${seconds}s for: ${titles.join("; ")}`);
  });
  if (flags.junit) await writeFile(resolve(io.cwd, flags.junit), renderJunit(report));
  io.stdout.write(flags.json ? renderJson(report) : renderHuman(report, { color: useColor(io) }));
  await appendRecords(historyFile(io.env), gradeRecords(report, source));
  return report;
}
