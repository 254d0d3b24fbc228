import { existsSync, readFileSync, realpathSync } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { localPaths, type Ports } from "./components.js";
import { cacheDir } from "./paths.js";

// A local cluster's ports stay its own for as long as the cluster exists. A component
// that is down (a task broke its manifest, the API server crash-loops) holds no socket,
// so the system calls its port free and may hand it to another cluster's `cluster up`
// on this machine; the component then never binds again ("address already in use", and
// kubectl reaches the other cluster's API server). One file per reserved port, named
// after it and holding its cluster's folder, in one folder per machine and user; made
// with O_EXCL, so two `cluster up`s never take the same port. The ports are drawn below
// the system's ephemeral range, which it hands to every program that asks for any free
// port and to outgoing connections: no program without these reservations (an older
// kubedrill, a test server) is given one.

/** The first port of the ephemeral range (Linux says where; 32768 is below the others' too). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? Math.min(low, 32768) : 32768;
  } catch {
    return 32768;
  }
}

const lowestPort = 20000;

const listenable = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });

/** A port nothing listens on now, at random below the ephemeral range (anywhere free, if that range is too small). */
export async function quietPort(): Promise<number> {
  const end = ephemeralStart();
  for (let tries = 0; end - lowestPort >= 1000 && tries < 100; tries++) {
    const port = lowestPort + Math.floor(Math.random() * (end - lowestPort));
    if (await listenable(port)) return port;
  }
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Where the reservations are: beside the built binary, which every checkout on the machine shares. */
export const registryDir = (env: NodeJS.ProcessEnv = process.env) => join(cacheDir(env), "ports");

const clusterOf = (root: string) => (existsSync(root) ? realpathSync(root) : resolve(root));

/**
 * A reservation no cluster needs: its folder is gone (cluster down), or the cluster
 * recorded other ports. A folder without a state file is a cluster being made.
 */
function stale(holder: string, port: number): boolean {
  if (!existsSync(holder)) return true;
  const stateFile = localPaths(holder).stateFile;
  if (!existsSync(stateFile)) return false;
  try {
    const { ports } = JSON.parse(readFileSync(stateFile, "utf8")) as { ports?: Record<string, unknown> };
    return !Object.values(ports ?? {}).includes(port);
  } catch {
    return false;
  }
}

/** Takes port for the cluster in root; false when another cluster holds it. */
async function claim(dir: string, port: number, root: string): Promise<boolean> {
  const file = join(dir, String(port));
  for (;;) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(root);
      await handle.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readFile(file, "utf8").catch(() => undefined);
    if (holder === undefined) continue; // released meanwhile
    if (holder === root) return true;
    // Empty: a cluster between making the file and writing its folder.
    if (holder === "" || !stale(holder, port)) return false;
    await breakStale(file, holder);
  }
}

/**
 * Removes a stale reservation. Moved aside first, as the lock's stale file is: of two
 * clusters breaking it at once, the second may move the first one's new reservation,
 * which it then puts back.
 */
async function breakStale(file: string, holder: string): Promise<void> {
  const moved = `${file}.${process.pid}.stale`;
  try {
    await rename(file, moved);
  } catch {
    return; // moved by the other one first
  }
  if ((await readFile(moved, "utf8").catch(() => holder)) !== holder) await link(moved, file).catch(() => {});
  await unlink(moved).catch(() => {});
}

/** A port free now and reserved for the cluster in root, which must exist; pick finds a free one. */
export async function reservePort(root: string, dir = registryDir(), pick = quietPort): Promise<number> {
  await mkdir(dir, { recursive: true });
  const cluster = clusterOf(root);
  for (let tries = 0; tries < 100; tries++) {
    const port = await pick();
    if (await claim(dir, port, cluster)) return port;
  }
  throw new Error(`no free port that no other local cluster reserved in ${dir}`);
}

/** Reserves the ports a cluster recorded before reservations existed; one another cluster took is left to it. */
export async function claimPorts(root: string, ports: Ports, dir = registryDir()): Promise<void> {
  await mkdir(dir, { recursive: true });
  const cluster = clusterOf(root);
  for (const port of Object.values(ports)) if (port !== undefined) await claim(dir, port, cluster);
}

/** Gives back every port of the cluster in root: before its folder is deleted. */
export async function releasePorts(root: string, dir = registryDir()): Promise<void> {
  const cluster = clusterOf(root);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^\d+$/.test(n))) {
    const file = join(dir, name);
    if ((await readFile(file, "utf8").catch(() => undefined)) === cluster) await unlink(file).catch(() => {});
  }
}
