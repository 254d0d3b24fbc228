import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { findTask } from "../catalog/catalog.js";
import { runScript } from "../cluster/shell.js";
import { verifyTask } from "../engine/verify.js";
import { ExitCode, UsageError } from "../errors.js";
import { connectFor, globals, loadTasks } from "./common.js";
import { exitWith, progress } from "./output.js";

export function registerVerify(program: Command): void {
  program
    .command("verify [tasks...]")
    .description("prove tasks on a practice cluster: unsolved fails, the solution passes, reset cleans up")
    .option("--all", "verify every task in the catalog")
    .option("--json", "print the results as JSON")
    .action(
      exitWith(async (ids: string[], flags: { all?: boolean; json?: boolean }, command: Command) => {
        const options = globals(command);
        if (ids.length > 0 === Boolean(flags.all)) {
          throw new UsageError("name the tasks to verify or pass --all", "kubedrill verify --all");
        }
        const all = await loadTasks(options);
        const tasks = flags.all ? all : ids.map((id) => findTask(all, id));
        const target = await connectFor(options, true);
        const results = [];
        for (const [i, loaded] of tasks.entries()) {
          progress(`[${i + 1}/${tasks.length}] verifying ${loaded.task.id}…`);
          const result = await verifyTask(loaded, target, (script) =>
            runScript(script, fileURLToPath(new URL("./main.js", import.meta.url))),
          );
          results.push(result);
          if (!flags.json && result.skipped) {
            console.log(`- ${result.id}  skipped: ${result.skipped}`);
          } else if (!flags.json) {
            const mark = result.passed ? "✓" : "✗";
            console.log(`${mark} ${result.id}  ${(result.durationMs / 1000).toFixed(1)}s`);
            for (const problem of result.problems) console.log(`    ${problem.replaceAll("\n", "\n    ")}`);
          }
        }
        if (flags.json) {
          const rows = results.map(({ id, passed, skipped, problems, durationMs }) => ({
            id,
            passed,
            skipped,
            problems,
            durationMs,
          }));
          console.log(JSON.stringify(rows, null, 2));
        }
        return results.every((r) => r.passed) ? ExitCode.ok : ExitCode.belowMark;
      }),
    );
}
