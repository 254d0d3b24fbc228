import type { Command } from "commander";
import { readHistory } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { domainProgress, examSummary, weakestDomain } from "../session/progress.js";
import { renderProgress } from "../session/render.js";
import { exitWith, progress } from "./output.js";

export function registerProgress(program: Command): void {
  program
    .command("progress")
    .description("your history by domain: attempts, pass rate, best time, and the weakest domain")
    .option("--json", "print JSON")
    .action(
      exitWith(async (flags: { json?: boolean }) => {
        const file = historyFile();
        const { records, skipped } = await readHistory(file);
        if (skipped.length > 0) {
          progress(`note: skipped ${skipped.length} damaged line(s) of ${file}: ${skipped.join(", ")}`);
        }
        const domains = domainProgress(records);
        const weakest = weakestDomain(domains);
        const exams = examSummary(records);
        if (flags.json) {
          console.log(JSON.stringify({ history: file, domains, weakest, exams }, null, 2));
        } else {
          process.stdout.write(renderProgress(domains, weakest, exams));
        }
        return 0;
      }),
    );
}
