import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { ClusterError } from "../../errors.js";
import { type Component, isComponent, type LocalPaths, type Ports } from "./components.js";

/** What `cluster up` records about a local cluster; the processes themselves are found by their folder. */
export interface State {
  version: 2;
  ports: Ports;
  /** The last process started for each component, and from which binary. */
  components: Partial<Record<Component, { pid: number; binary: string }>>;
  /** kube-system's uid: proves on connect that a context reaches this very cluster. */
  identity?: string;
  /** The control plane's static-pod manifests were written (once: one the learner removed stays removed). */
  manifests?: boolean;
  createdAt: string;
}

const portNames = ["etcd", "etcdPeer", "apiserver", "controllerManager", "scheduler", "kwok"] as const;

function isState(value: unknown): value is State {
  const state = value as State;
  return (
    typeof state === "object" &&
    state !== null &&
    state.version === 2 &&
    typeof state.ports === "object" &&
    portNames.every((p) => Number.isInteger(state.ports?.[p])) &&
    typeof state.components === "object" &&
    state.components !== null
  );
}

/** A component an older kubedrill ran (static-pods, now part of the kubelet) is forgotten, not an error. */
function withoutOldComponents(state: State): State {
  const components = Object.fromEntries(
    Object.entries(state.components).filter(([name]) => isComponent(name)),
  );
  return { ...state, components };
}

/** The recorded state, undefined when there is none; a damaged file is a typed error that says what to do. */
export function readState(paths: LocalPaths): State | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(paths.stateFile, "utf8"));
  } catch (err) {
    throw damaged(paths, (err as Error).message);
  }
  if (!isState(parsed)) throw damaged(paths, "not a state file this version of kubedrill wrote");
  return withoutOldComponents(parsed);
}

function damaged(paths: LocalPaths, why: string): ClusterError {
  return new ClusterError(
    `the local cluster's state file ${paths.stateFile} is unreadable (${why})`,
    undefined,
    "kubedrill cluster down stops its processes (found by their folder) and deletes it; or start empty: kubedrill cluster up --fresh",
  );
}

/**
 * The one writer of state.json for a `cluster up`: writes are queued, never concurrent,
 * and each replaces the file atomically (temporary file, then rename), so a reader or a
 * crash sees either the old state or the new one.
 */
export class StateWriter {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly paths: LocalPaths) {}

  save(state: State): Promise<void> {
    const text = `${JSON.stringify(state, null, 2)}\n`;
    this.queue = this.queue.then(() => writeAtomic(this.paths.stateFile, text));
    return this.queue;
  }
}

/** Writes a private file (0600) in one step: readers never see half of it. */
export async function writeAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, content, { mode });
  await rename(partial, file);
}

/** The state folder and its sub-folders are private: they hold keys and a system:masters credential. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}
