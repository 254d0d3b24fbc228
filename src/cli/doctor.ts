import { type DoctorReport, diagnose, type Verdict } from "../cluster/doctor.js";
import { ExitCode } from "../errors.js";
import type { CommandContext } from "./program.js";

const marks: Record<Verdict, string> = { ok: "✓", warn: "!", fail: "✗", info: "·" };

function render(report: DoctorReport): string {
  const width = Math.max(...report.lines.map((l) => l.check.length));
  const lines = report.lines.flatMap((line) => [
    `${marks[line.verdict]} ${line.check.padEnd(width)}  ${line.detail}`,
    ...(line.fix && line.verdict !== "ok" ? [`  ${" ".repeat(width)}  fix: ${line.fix}`] : []),
  ]);
  const warnings = report.lines.filter((l) => l.verdict === "warn").length;
  const verdict = report.ready
    ? `practice can start${warnings ? ` (${warnings} warning(s): tasks that need what is missing are skipped)` : ""}`
    : "practice cannot start: fix the ✗ lines above";
  return `${[...lines, "", verdict].join("\n")}\n`;
}

/** `kubedrill doctor`: what is ready for practice and what to fix. */
export async function doctor({ io, options }: CommandContext, flags: { json?: boolean }): Promise<number> {
  const { kubeconfig, context } = options;
  const report = await diagnose({ kubeconfig, context });
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.ready ? ExitCode.ok : ExitCode.cluster;
}
