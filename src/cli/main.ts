#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ExitCode, KubedrillError } from "../errors.js";
import { registerCluster } from "./cluster.js";
import { registerDoctor } from "./doctor.js";
import { registerExam } from "./exam.js";
import { registerCheck, registerGrade } from "./grade.js";
import { registerList } from "./list.js";
import { registerNew } from "./new.js";
import { registerNode } from "./node.js";
import { registerPractice } from "./practice.js";
import { registerProgress } from "./progress.js";
import { registerReset } from "./reset.js";
import { registerShow } from "./show.js";
import { registerStart } from "./start.js";
import { registerValidate } from "./validate.js";
import { registerVerify } from "./verify.js";

const program = new Command("kubedrill")
  .description("Practise CKA/CKAD tasks on a real cluster; checks grade your work with points and reasons.")
  .exitOverride()
  .showHelpAfterError("(run kubedrill --help for usage)")
  .option("--context <name>", "kubeconfig context to use (default: the current one)")
  .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
  .option(
    "--tasks <dir>",
    "an extra catalog folder (repeatable)",
    (dir: string, all: string[]) => [...all, dir],
    [],
  )
  .option("--allow-context <name>", "allow start/reset on this context even if it is not a practice cluster");

registerList(program);
registerShow(program);
registerStart(program);
registerCheck(program);
registerReset(program);
registerGrade(program);
registerCluster(program);
registerDoctor(program);
registerNode(program);
registerVerify(program);
registerValidate(program);
registerNew(program);
registerPractice(program);
registerExam(program);
registerProgress(program);

function report(err: unknown): number {
  if (err instanceof KubedrillError) {
    process.stderr.write(`kubedrill: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  next: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  process.stderr.write(
    `kubedrill: unexpected error (a bug; please report it with this output)\n${(err as Error)?.stack ?? err}\n`,
  );
  return 70;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}
