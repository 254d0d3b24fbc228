import { existsSync, readFileSync, statSync } from "node:fs";
import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { ClusterError } from "../../errors.js";
import type { Progress } from "./build.js";
import type { LocalPaths } from "./components.js";
import { sleep } from "./processes.js";

interface Holder {
  pid: number;
  action: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): { text: string; holder?: Holder } | undefined {
  try {
    const text = readFileSync(file, "utf8");
    try {
      return { text, holder: JSON.parse(text) as Holder };
    } catch {
      return { text };
    }
  } catch {
    return undefined;
  }
}

/**
 * Removes a lock whose holder has died. Two waiters may see the same dead holder: the
 * rename is atomic, so only one moves the stale file; whoever moved a different (live)
 * lock by mistake puts it back.
 */
async function breakStale(file: string, staleText: string): Promise<void> {
  const moved = `${file}.${process.pid}.stale`;
  try {
    await rename(file, moved);
  } catch {
    return;
  }
  if ((await readFile(moved, "utf8").catch(() => "")) !== staleText) {
    await link(moved, file).catch(() => undefined);
  }
  await unlink(moved).catch(() => undefined);
}

const describe = (h: Holder) => `kubedrill ${h.action} (pid ${h.pid}, since ${h.since})`;

/**
 * Runs action while holding the state folder's lock, so that two `cluster up`/`down`
 * never change one cluster at the same time: a second one waits, saying who holds it.
 * A lock left by a process that died is taken over.
 */
export async function withLock<T>(
  paths: Pick<LocalPaths, "root" | "lockFile">,
  action: string,
  progress: Progress,
  run: () => Promise<T>,
  waitMs = 15 * 60_000,
): Promise<T> {
  const file = paths.lockFile;
  await mkdir(dirname(file), { recursive: true });
  const mine: Holder = { pid: process.pid, action, since: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  let said = false;
  for (;;) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(JSON.stringify(mine));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const seen = readHolder(file);
    if (!seen) continue;
    const { holder, text } = seen;
    if (holder && !alive(holder.pid)) {
      progress(`taking over the lock ${file}: its holder, ${describe(holder)}, is gone`);
      await breakStale(file, text);
      continue;
    }
    // A holder that died between creating the file and writing its name left it empty.
    if (!holder && Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5_000) {
      await breakStale(file, text);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ClusterError(
        `the local cluster in ${paths.root} is busy: ${holder ? describe(holder) : "another kubedrill"} holds ${file}`,
        undefined,
        holder
          ? `wait for it to finish, or stop it: kill ${holder.pid}`
          : `if no kubedrill runs, remove ${file}`,
      );
    }
    // A holder between creating the file and writing its name is named on the next look.
    if (!said && holder) {
      progress(`waiting for ${describe(holder)}, which holds ${file}`);
      said = true;
    }
    await sleep(250);
  }
  try {
    return await run();
  } finally {
    if (existsSync(file) && readHolder(file)?.holder?.pid === process.pid) await unlink(file);
  }
}
