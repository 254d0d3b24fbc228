import { ExitCode } from "../errors.js";
import { loadTask } from "./common.js";
import type { CommandContext } from "./program.js";
import { gradeAndReport, type ReportFlags } from "./report-output.js";

/** `kubedrill check <task>`: grades one task now; every check must pass. */
export async function check(ctx: CommandContext, id: string, flags: ReportFlags): Promise<number> {
  const report = await gradeAndReport(ctx, [await loadTask(ctx.options, id)], flags, 100, "check");
  return report.tasks.every((t) => t.passed) ? ExitCode.ok : ExitCode.belowMark;
}
