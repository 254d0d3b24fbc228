import { findTask } from "../catalog/catalog.js";
import { ExitCode, UsageError } from "../errors.js";
import { loadTasks } from "./common.js";
import type { CommandContext } from "./program.js";
import { gradeAndReport, type ReportFlags } from "./report-output.js";

/** `kubedrill grade`: several tasks (or --all) against a pass mark, for CI. */
export async function grade(
  ctx: CommandContext,
  ids: string[],
  flags: ReportFlags & { all?: boolean; passMark: string },
): Promise<number> {
  const passMark = Number(flags.passMark);
  if (!Number.isFinite(passMark) || passMark < 0 || passMark > 100) {
    throw new UsageError(`--pass-mark must be a percentage from 0 to 100, not "${flags.passMark}"`);
  }
  if (ids.length > 0 === Boolean(flags.all)) {
    throw new UsageError("name the tasks to grade or pass --all", "kubedrill grade pod-run-nginx static-pod");
  }
  const all = await loadTasks(ctx.options);
  const tasks = flags.all ? all : ids.map((id) => findTask(all, id));
  const report = await gradeAndReport(ctx, tasks, flags, passMark, "grade");
  return report.passed ? ExitCode.ok : ExitCode.belowMark;
}
