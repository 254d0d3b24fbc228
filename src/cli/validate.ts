import type { Command } from "commander";
import { builtinTasks, findTaskFiles, loadCatalog } from "../catalog/catalog.js";
import { compileCel } from "../engine/cel.js";
import { ExitCode, formatProblem, UsageError } from "../errors.js";
import { globals } from "./common.js";
import { exitWith } from "./output.js";

export function registerValidate(program: Command): void {
  program
    .command("validate [paths...]")
    .description(
      "check task files without a cluster: schema, CEL, regexes, manifests, namespaces, unique ids. " +
        "Prints each problem as file:line:column: field.path: message on stdout and a summary line on stderr; " +
        "exits 2 when any problem is found. Default: the built-in catalog plus any --tasks folders",
    )
    .option("--json", "print {tasks, problems} as JSON on stdout instead")
    .action(
      exitWith(async (paths: string[], flags: { json?: boolean }, command: Command) => {
        const roots = paths.length > 0 ? paths : [builtinTasks, ...globals(command).tasks];
        const files = await findTaskFiles(roots);
        if (files.length === 0) {
          throw new UsageError(
            `no task.yaml under ${roots.join(", ")}`,
            "create one with: kubedrill new <id>",
          );
        }
        const { problems } = await loadCatalog(roots, compileCel);
        if (flags.json) {
          console.log(JSON.stringify({ tasks: files.length, problems }, null, 2));
        } else {
          for (const problem of problems) console.log(formatProblem(problem));
          const tasks = count(files.length, "task");
          process.stderr.write(
            problems.length === 0
              ? `${tasks} OK\n`
              : `${tasks} checked, ${count(problems.length, "problem")}\n`,
          );
        }
        return problems.length === 0 ? ExitCode.ok : ExitCode.usage;
      }),
    );
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
