import { findTask } from "../catalog/catalog.js";
import { seedProblem } from "../catalog/instance.js";
import { runScript } from "../cluster/shell.js";
import { proveAll } from "../engine/prove-all.js";
import { proofSeeds, type Verification, verifyInstances } from "../engine/verify.js";
import { ExitCode, UsageError } from "../errors.js";
import { packagePath } from "../model/package-root.js";
import { connectFor, loadTasks } from "./common.js";
import { type CliIO, progress, say } from "./io.js";
import type { CommandContext } from "./program.js";

function print(io: CliIO, result: Verification): void {
  if (result.skipped) {
    say(io, `- ${result.id}  skipped: ${result.skipped}`);
    return;
  }
  const seeds = result.seeds ? `  seeds ${result.seeds.join(", ")}` : "";
  say(io, `${result.passed ? "✓" : "✗"} ${result.id}${seeds}  ${(result.durationMs / 1000).toFixed(1)}s`);
  for (const problem of result.problems) say(io, `    ${problem.replaceAll("\n", "\n    ")}`);
}

/** `kubedrill verify`: proves tasks (several at once where they cannot disturb each other). */
export async function verify(
  { io, options }: CommandContext,
  ids: string[],
  flags: { all?: boolean; json?: boolean; jobs: string; seed?: string },
): Promise<number> {
  const seedIssue = flags.seed === undefined ? undefined : seedProblem(flags.seed);
  if (seedIssue) throw new UsageError(seedIssue, "kubedrill verify my-task --seed max");
  if (ids.length > 0 === Boolean(flags.all)) {
    throw new UsageError("name the tasks to verify or pass --all", "kubedrill verify --all");
  }
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UsageError(`--jobs must be a whole number above 0, not "${flags.jobs}"`);
  }
  const all = await loadTasks(options);
  const tasks = flags.all ? all : ids.map((id) => findTask(all, id));
  const target = await connectFor(options, true);
  let done = 0;
  const results = await proveAll(tasks, jobs, async (loaded) => {
    progress(io, `verifying ${loaded.task.id}…`);
    const seeds = flags.seed ? [flags.seed] : proofSeeds(loaded.task);
    const result = await verifyInstances(
      loaded,
      target,
      (script) => runScript(script, packagePath("dist/cli/main.js")),
      seeds,
      tasks,
    );
    progress(io, `[${++done}/${tasks.length}] ${loaded.task.id} done`);
    if (!flags.json) print(io, result);
    return result;
  });
  if (flags.json) {
    const rows = results.map(({ id, seeds, passed, skipped, problems, durationMs }) => ({
      id,
      seeds,
      passed,
      skipped,
      problems,
      durationMs,
    }));
    say(io, JSON.stringify(rows, null, 2));
  }
  return results.every((r) => r.passed) ? ExitCode.ok : ExitCode.belowMark;
}
