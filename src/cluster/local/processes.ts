import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from "node:fs";
import { basename } from "node:path";
import { poll, sleep } from "../../model/poll.js";

/** Starts a long-lived process in its own session, logging to a file; it outlives this CLI. */
export function startDetached(binary: string, args: string[], logFile: string, cwd: string): number {
  const log = openSync(logFile, "a", 0o600);
  const child = spawn(binary, args, { cwd, detached: true, stdio: ["ignore", log, log] });
  child.unref();
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${binary} ${args[0]}`);
  return child.pid;
}

/** A process of a local cluster: which component, and the binary it runs. */
export interface ClusterProcess {
  pid: number;
  component: string;
  binary: string;
}

const binaryName = "kubedrill-cluster";

/** What /proc says about pid when it is a live local-cluster process whose working folder is root. */
function inspect(pid: number, root: string): ClusterProcess | undefined {
  try {
    if (readlinkSync(`/proc/${pid}/cwd`) !== root) return undefined;
    // A zombie ("Z") has exited but not been reaped yet.
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))) return undefined;
    const [binary = "", component = ""] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (basename(binary) !== binaryName || component === "") return undefined;
    return { pid, component, binary };
  } catch {
    return undefined;
  }
}

const realRoot = (root: string) => (existsSync(root) ? realpathSync(root) : root);

/**
 * Every process of the local cluster whose state folder is root. Each component runs
 * with the folder as its working directory, so a process of another instance (or an
 * unrelated one that reuses a stale pid) never matches.
 */
export function processesIn(root: string): ClusterProcess[] {
  const folder = realRoot(root);
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => inspect(Number(entry), folder))
    .filter((p): p is ClusterProcess => p !== undefined);
}

/** True when pid is alive and is a local-cluster process of the folder root (pids are reused). */
export function isOurs(pid: number, root: string): boolean {
  return inspect(pid, realRoot(root)) !== undefined;
}

export async function stopProcess(pid: number, root: string, graceMs = 5000): Promise<void> {
  if (!isOurs(pid, root)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, root)) return;
    await sleep(50);
  }
  if (isOurs(pid, root)) process.kill(pid, "SIGKILL");
  while (isOurs(pid, root)) await sleep(20);
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
