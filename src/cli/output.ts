/** Progress goes to stderr so that stdout stays clean for --json. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** Wraps a command so that the number it returns becomes the process exit code. */
export function exitWith<A extends unknown[]>(command: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    process.exitCode = await command(...args);
  };
}
