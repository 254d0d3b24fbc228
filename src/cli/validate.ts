import { resolve, sep } from "node:path";
import { catalogFolders, findTaskFiles, loadCatalog } from "../catalog/catalog.js";
import { expressionChecker } from "../engine/cel.js";
import { ExitCode, formatProblem, UsageError } from "../errors.js";
import { say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill validate [paths...]`: task files checked without a cluster; exit 2 on any problem. */
export async function validate(
  { io, options }: CommandContext,
  paths: string[],
  flags: { json?: boolean },
): Promise<number> {
  const roots =
    paths.length > 0
      ? paths.map((p) => resolve(io.cwd, p))
      : catalogFolders(options.tasks, options.builtin !== false);
  const files = await findTaskFiles(roots);
  if (files.length === 0) {
    throw new UsageError(`no task.yaml under ${roots.join(", ")}`, "create one with: kubedrill new <id>");
  }
  const { problems } = await loadCatalog(roots, expressionChecker);
  if (flags.json) {
    say(io, JSON.stringify({ tasks: files.length, problems }, null, 2));
  } else {
    // Paths under the command's folder are shown relative to it, as the author typed them.
    for (const problem of problems) say(io, formatProblem(problem).replaceAll(`${io.cwd}${sep}`, ""));
    const tasks = count(files.length, "task");
    io.stderr.write(
      problems.length === 0 ? `${tasks} OK\n` : `${tasks} checked, ${count(problems.length, "problem")}\n`,
    );
  }
  return problems.length === 0 ? ExitCode.ok : ExitCode.usage;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
