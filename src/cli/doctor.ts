import type { Command } from "commander";
import { type DoctorReport, diagnose, type Verdict } from "../cluster/doctor.js";
import { ExitCode } from "../errors.js";
import { globals } from "./common.js";
import { exitWith } from "./output.js";

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

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check kubeconfig, cluster, kubectl, nodes, node access and what the cluster can do")
    .option("--json", "print the findings as JSON")
    .action(
      exitWith(async (flags: { json?: boolean }, command: Command) => {
        const { kubeconfig, context } = globals(command);
        const report = await diagnose({ kubeconfig, context });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
        return report.ready ? ExitCode.ok : ExitCode.cluster;
      }),
    );
}
