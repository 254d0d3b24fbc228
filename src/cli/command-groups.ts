import { type Command, Option } from "commander";
import { type DriverName, driverNames } from "../cluster/drivers/driver.js";
import { domainList } from "./commands.js";
import type { ExamStartFlags } from "./exam.js";
import type { On } from "./program.js";

// The commands with subcommands (cluster, node, exam), declared as in commands.ts:
// help and options here, each module imported only when its command runs.

// Said in the help without loading the exam module; a test holds them equal to session/exam.ts.
export const examPassMark = 66;
export const ckaExam = { count: 17, minutes: 120 };

export function registerGroups(program: Command, on: On): void {
  registerCluster(program, on);
  registerNode(program, on);
  registerExam(program, on);
}

type DriverFlags = { driver?: DriverName; fresh?: boolean };

function registerCluster(program: Command, on: On): void {
  const cluster = program
    .command("cluster")
    .description("create, delete and inspect a practice cluster (kind, minikube or local)");
  const driver = () =>
    new Option(
      "--driver <driver>",
      "kind, minikube or local (default for up: kind if docker and kind work, else minikube if installed, else local; " +
        "for down and status: the driver of the current context)",
    ).choices(driverNames);
  const action = (name: "up" | "down" | "status") =>
    on(async (ctx, flags: DriverFlags) => (await import("./cluster.js")).cluster[name](ctx, flags));
  cluster
    .command("up")
    .description(
      "create (or start, or repair) the practice cluster and make its context current; the local cluster keeps its objects",
    )
    .addOption(driver())
    .option("--fresh", "local driver: delete the local cluster's objects and start empty")
    .action(action("up"));
  cluster
    .command("down")
    .description("delete the practice cluster, its data and its kubeconfig context")
    .addOption(driver())
    .action(action("down"));
  cluster
    .command("status")
    .description("show each part of the practice cluster and whether it is healthy")
    .addOption(driver())
    .action(action("status"));
}

function registerNode(program: Command, on: On): void {
  const node = program.command("node").description("files and shells on the cluster's nodes");
  node
    .command("cp <source> <destination>")
    .description("copy a file to a node (node:/path) or from a node")
    .action(
      on(async (ctx, source: string, destination: string) =>
        (await import("./node.js")).nodeCopy(ctx, source, destination),
      ),
    );
  node
    .command("rm <path>")
    .description("remove a file on a node (node:/path)")
    .action(on(async (ctx, path: string) => (await import("./node.js")).nodeRemove(ctx, path)));
  node
    .command("exec <node> <command...>")
    .description(
      "run a command on a node as root (kubedrill node exec NODE -- CMD ARGS...); exits with its code",
    )
    .action(
      on(async (ctx, name: string, argv: string[]) => (await import("./node.js")).nodeExec(ctx, name, argv)),
    );
  node
    .command("shell <node>")
    .description("open a shell on a node")
    .action(on(async (ctx, name: string) => (await import("./node.js")).nodeShell(ctx, name)));
}

function registerExam(program: Command, on: On): void {
  const exam = program
    .command("exam")
    .description(`a timed mock exam weighted like the CKA (pass mark ${examPassMark}%)`);
  const load = () => import("./exam.js");
  exam
    .command("start")
    .description("pick tasks by the CKA domain weights, set them all up, and start the clock")
    .option(
      "--count <n>",
      "how many tasks, as the CKA (fewer when the catalog or the cluster offers fewer)",
      String(ckaExam.count),
    )
    .option(
      "--minutes <m>",
      `time allowed (default: ${ckaExam.minutes} for ${ckaExam.count} tasks, the same pace for fewer)`,
    )
    .option("--seed <seed>", "repeat an earlier exam: the same tasks, each the same instance")
    .option("--domain <domains...>", `only these domains (${domainList})`)
    .action(on(async (ctx, flags: ExamStartFlags) => (await load()).examStart(ctx, flags)));
  exam
    .command("status")
    .description("time left, flags, and each task's title and points (scores come at submit)")
    .action(on(async (ctx) => (await load()).examStatus(ctx)));
  exam
    .command("show <n>")
    .description("print task n of the exam, starting with the context to use")
    .action(on(async (ctx, n: string) => (await load()).examShow(ctx, n)));
  exam
    .command("flag <n>")
    .description("flag task n to come back to (status lists the flagged ones)")
    .option("--off", "remove the flag")
    .action(on(async (ctx, n: string, flags: { off?: boolean }) => (await load()).examFlag(ctx, n, flags)));
  exam
    .command("submit")
    .description(
      `grade every task (late or not): per task, per domain, PASS/FAIL at ${examPassMark}%; exit 1 below it`,
    )
    .action(on(async (ctx) => (await load()).examSubmit(ctx)));
  exam
    .command("review [n]")
    .description("the last submitted exam's failed checks, what each found, and the reference solutions")
    .action(on(async (ctx, n: string | undefined) => (await load()).examReview(ctx, n)));
  exam
    .command("abort")
    .description("end the exam without grading and reset every task it set up")
    .action(on(async (ctx) => (await load()).examAbort(ctx)));
}
