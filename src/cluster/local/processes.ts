import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { poll, sleep } from "../../model/poll.js";

/** Starts a long-lived process in its own session, logging to a file; it outlives this CLI. */
export function startDetached(binary: string, args: string[], logFile: string, cwd: string): number {
  const log = openSync(logFile, "a");
  const child = spawn(binary, args, { cwd, detached: true, stdio: ["ignore", log, log] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${binary} ${args[0]}`);
  return child.pid;
}

/** True when pid is alive and still runs our binary (pids are reused). */
export function isOurs(pid: number, binary: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return false;
  try {
    const args = readFileSync(cmdline, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie ("Z") has exited but not been reaped yet.
    return args.startsWith(binary) && !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export async function stopProcess(pid: number, binary: string, graceMs = 5000): Promise<void> {
  if (!isOurs(pid, binary)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, binary)) return;
    await sleep(50);
  }
  if (isOurs(pid, binary)) process.kill(pid, "SIGKILL");
  while (isOurs(pid, binary)) await sleep(20);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export function lastLines(file: string, count = 15): string {
  if (!existsSync(file)) return "(no log written)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
}

export { sleep };

/** Polls until check() is true or the time is up; returns whether it became true. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100) {
  const became = await poll(async () => ((await check().catch(() => false)) ? true : undefined), {
    timeoutMs,
    intervalMs,
  });
  return became === true;
}
