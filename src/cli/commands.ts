import type { Command } from "commander";
import { domains } from "../model/domains.js";
import type { On } from "./program.js";
import type { ReportFlags } from "./report-output.js";

// The task commands as commander sees them: names, arguments, options and help. Each
// action imports its command's module when it runs, so `--help`, `list` or `validate`
// never load what `check` or `cluster up` need.

// Said in the help from the model's list, which loads neither the schema nor zod.
export const domainList = domains.join(", ");

export function registerCommands(program: Command, on: On): void {
  program
    .command("list")
    .description("list the tasks in the catalog")
    .option("--domain <domain>", `only one domain (${domainList})`)
    .option("--json", "print JSON")
    .action(
      on(async (ctx, flags: { domain?: string; json?: boolean }) =>
        (await import("./list.js")).list(ctx, flags),
      ),
    );
  program
    .command("show <task>")
    .description("print a task's description, time budget and points")
    .action(on(async (ctx, id: string) => (await import("./show.js")).show(ctx, id)));
  program
    .command("start <task>")
    .description("set a task up on the cluster (resets it first) and print what to do")
    .option(
      "--seed <seed>",
      "repeat the instance of an earlier start (min and max: every variable at its ends)",
    )
    .action(
      on(async (ctx, id: string, flags: { seed?: string }) =>
        (await import("./start.js")).start(ctx, id, flags),
      ),
    );
  program
    .command("check <task>")
    .description("grade one task now: each check with points and reasons")
    .option("--json", "print the result as JSON on stdout")
    .option("--junit <file>", "also write a JUnit XML report")
    .action(
      on(async (ctx, id: string, flags: ReportFlags) => (await import("./check.js")).check(ctx, id, flags)),
    );
  program
    .command("reset [task]")
    .description("remove everything a task and its solution created")
    .option("--all", "reset every task in the catalog")
    .action(
      on(async (ctx, id: string | undefined, flags: { all?: boolean }) =>
        (await import("./reset.js")).reset(ctx, id, flags),
      ),
    );
  program
    .command("grade [tasks...]")
    .description("grade several tasks (or --all) against a pass mark, for CI")
    .option("--all", "grade every task in the catalog")
    .option("--json", "print the report as JSON on stdout")
    .option("--junit <file>", "also write a JUnit XML report")
    .option("--pass-mark <percent>", "percentage of points needed to pass", "66")
    .action(
      on(async (ctx, ids: string[], flags: ReportFlags & { all?: boolean; passMark: string }) =>
        (await import("./grade.js")).grade(ctx, ids, flags),
      ),
    );
  program
    .command("doctor")
    .description("check kubeconfig, cluster, kubectl, nodes, node access and what the cluster can do")
    .option("--json", "print the findings as JSON")
    .action(on(async (ctx, flags: { json?: boolean }) => (await import("./doctor.js")).doctor(ctx, flags)));
  program
    .command("verify [tasks...]")
    .description("prove tasks on a practice cluster: unsolved fails, the solution passes, reset cleans up")
    .option("--all", "verify every task in the catalog")
    .option("--json", "print the results as JSON")
    .option(
      "--jobs <n>",
      "how many tasks to prove at once (tasks that touch nodes or the whole cluster run alone)",
      "4",
    )
    .option(
      "--seed <seed>",
      "prove only this instance (default: a task with drawn variables is proved on min, max and a random seed)",
    )
    .action(
      on(async (ctx, ids: string[], flags: { all?: boolean; json?: boolean; jobs: string; seed?: string }) =>
        (await import("./verify.js")).verify(ctx, ids, flags),
      ),
    );
  program
    .command("validate [paths...]")
    .description(
      "check task files without a cluster: schema, CEL, regexes, manifests, namespaces, unique ids. " +
        "Prints each problem as file:line:column: field.path: message on stdout and a summary line on stderr; " +
        "exits 2 when any problem is found. Default: the built-in catalog plus any --tasks folders",
    )
    .option("--json", "print {tasks, problems} as JSON on stdout instead")
    .action(
      on(async (ctx, paths: string[], flags: { json?: boolean }) =>
        (await import("./validate.js")).validate(ctx, paths, flags),
      ),
    );
  program
    .command("new <id>")
    .description(
      "scaffold a task folder <dir>/<domain>/<id>/ with an explained task.yaml that passes validate",
    )
    .option("--domain <domain>", `curriculum domain (${domainList})`, "workloads")
    .option("--dir <dir>", "catalog folder to create it in", "tasks")
    .action(
      on(async (ctx, id: string, flags: { domain: string; dir: string }) =>
        (await import("./new.js")).newTask(ctx, id, flags),
      ),
    );
  program
    .command("practice")
    .description("practise interactively: pick a task, solve it with kubectl, check, hint, solution, reset")
    .action(on(async (ctx) => (await import("./practice.js")).practice(ctx)));
  program
    .command("progress")
    .description("your history by domain: attempts, pass rate, best time, and the weakest domain")
    .option("--json", "print JSON")
    .action(
      on(async (ctx, flags: { json?: boolean }) => (await import("./progress.js")).progress(ctx, flags)),
    );
}
