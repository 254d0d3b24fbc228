import type { Readable } from "node:stream";

/** A stream a command writes to: process.stdout in the binary, a buffer in tests. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * What a command may touch of its process, handed in rather than read from globals
 * (as changesets and kind do), so that tests run commands in-process.
 */
export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Writes one line (or several) to stdout. */
export function say(io: CliIO, text: string): void {
  io.stdout.write(`${text}\n`);
}

/** Progress goes to stderr so that stdout stays clean for --json. */
export function progress(io: CliIO, message: string): void {
  io.stderr.write(`${message}\n`);
}

export function useColor(io: CliIO): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}
