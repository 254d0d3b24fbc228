import { resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CliIO } from "../../src/cli/io.js";
import { run } from "../../src/cli/program.js";

export const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface Ran {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs one kubedrill command line in this process, with its own streams, environment
 * and folder, the way the binary runs it. Output is returned without its final newline.
 */
export async function kubedrill(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? repo,
  };
  const exitCode = await run(args, io);
  return { stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, ""), exitCode };
}
