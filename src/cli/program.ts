import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { ExitCode, KubedrillError } from "../errors.js";
import { packagePath } from "../model/package-root.js";
import { registerGroups } from "./command-groups.js";
import { registerCommands } from "./commands.js";
import type { CliIO } from "./io.js";

// Only what every invocation needs is imported here: each command's module, and the
// cluster client with it, is loaded when that command runs (see commands.ts).

export interface GlobalOptions {
  context?: string;
  kubeconfig?: string;
  tasks: string[];
  /** False with --no-builtin: only the --tasks folders, as a course's own task pack wants. */
  builtin: boolean;
  allowContext?: string;
}

/** What a command receives: its process's streams, environment and folder, and the global options. */
export interface CommandContext {
  io: CliIO;
  options: GlobalOptions;
}

/** A command: its arguments and flags in, an exit code out. */
export type Handler<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number>;

/** Turns a handler into a commander action that records its exit code. */
export type On = <A extends unknown[]>(handler: Handler<A>) => (...args: unknown[]) => Promise<void>;

function version(): string {
  const file = packagePath("package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** Global options, with paths made absolute against the command's folder rather than the process's. */
function globalsOf(command: Command, io: CliIO): GlobalOptions {
  const options = command.optsWithGlobals() as GlobalOptions;
  return {
    ...options,
    tasks: options.tasks.map((dir) => resolve(io.cwd, dir)),
    kubeconfig: options.kubeconfig && resolve(io.cwd, options.kubeconfig),
  };
}

function program(io: CliIO, on: On): Command {
  const root = new Command("kubedrill")
    .description("Practise CKA/CKAD tasks on a real cluster; checks grade your work with points and reasons.")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError("(run kubedrill --help for usage)")
    .version(version(), "-V, --version", "print kubedrill's version")
    .option("--context <name>", "kubeconfig context to use (default: the current one)")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option(
      "--tasks <dir>",
      "an extra catalog folder (repeatable)",
      (dir: string, all: string[]) => [...all, dir],
      [],
    )
    .option("--no-builtin", "leave out the built-in catalog: only the --tasks folders")
    .option(
      "--allow-context <name>",
      "allow start/reset on this context even if it is not a practice cluster",
    );
  registerCommands(root, on);
  registerGroups(root, on);
  return root;
}

function report(io: CliIO, err: unknown): number {
  if (err instanceof KubedrillError) {
    io.stderr.write(`kubedrill: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  next: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  io.stderr.write(
    `kubedrill: unexpected error (a bug; please report it with this output)\n${(err as Error)?.stack ?? err}\n`,
  );
  return 70;
}

/** Runs one command line (without "node" and the script) and returns its exit code. */
export async function run(args: string[], io: CliIO): Promise<number> {
  let code: number = ExitCode.ok;
  // commander passes the arguments, the flags, then the command itself.
  const on: On =
    <A extends unknown[]>(handler: Handler<A>) =>
    async (...all: unknown[]) => {
      const command = all.at(-1) as Command;
      code = await handler({ io, options: globalsOf(command, io) }, ...(all.slice(0, -1) as A));
    };
  try {
    await program(io, on).parseAsync(args, { from: "user" });
    return code;
  } catch (err) {
    return report(io, err);
  }
}
