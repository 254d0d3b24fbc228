#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ExitCode, KubedrillError } from "../errors.js";
import { registerCluster } from "./cluster.js";

const program = new Command("kubedrill")
  .description("Practise CKA/CKAD tasks on a real cluster; checks grade your work with points and reasons.")
  .exitOverride()
  .showHelpAfterError("(run kubedrill --help for usage)");

registerCluster(program);

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
