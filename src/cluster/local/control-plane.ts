import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { ClusterError } from "../../errors.js";
import { kubeconfigFile, removeContext } from "../kubeconfig-file.js";
import { ensureAddons } from "./addons.js";
import { ensureBinary, kubernetesVersion, type Progress } from "./build.js";
import {
  args,
  type Component,
  componentNames,
  health,
  isComponent,
  type LocalPaths,
  localPaths,
  type Ports,
  type StartedComponent,
  type StaticPodComponent,
  staticPodComponents,
} from "./components.js";
import { type ComponentStatus, componentHealth, logFile, probe } from "./health.js";
import { renderStages } from "./images.js";
import { internalKubeconfig, mergeLocalContext, server } from "./kubeconfig.js";
import { describeStaticPod, readKubeletStatus, staticPodFailed } from "./kubelet-status.js";
import { localContext, markerFor } from "./locate.js";
import { withLock } from "./lock.js";
import { controlPlaneImages, ensureControlPlaneFiles } from "./manifests.js";
import { ensureNodes } from "./nodes-up.js";
import { claimPorts, releasePorts, reservePort } from "./port-registry.js";
import { lastLines, processesIn, startDetached, stopProcess, waitFor } from "./processes.js";
import { makePrivateDir, readState, type State, StateWriter, writeAtomic } from "./state.js";

export type { ComponentStatus };
export { localContext };

/** Whether the API server of the cluster in paths answers as ready. */
export async function isRunning(paths = localPaths()): Promise<boolean> {
  const state = readState(paths);
  if (!state) return false;
  if (!processesIn(paths.root).some((p) => p.component === "kube-apiserver")) return false;
  return probe("kube-apiserver", state.ports, paths);
}

export async function status(paths = localPaths()): Promise<ComponentStatus[] | undefined> {
  const state = readState(paths);
  if (!state) return undefined;
  return componentHealth(paths, state.ports);
}

export interface UpResult {
  alreadyRunning: boolean;
  /** True when this run started from an empty folder (first up, or --fresh). */
  fresh: boolean;
  /** The components this run started or restarted. */
  started: Component[];
  /** Control-plane components that did not come up from their manifests, with why (the cluster runs without them). */
  failed: string[];
  kubeconfig: string;
  server: string;
  seconds: number;
}

export interface UpOptions {
  /** Delete the cluster's data and start empty, even if a cluster is there. */
  fresh?: boolean;
}

/**
 * Starts the local control plane and three simulated nodes, or repairs what is missing
 * of one already there (keeping its data, certificates and ports), and makes the
 * kubedrill-local context current in the user's kubeconfig (or $KUBECONFIG).
 */
export function up(progress: Progress, paths = localPaths(), options: UpOptions = {}): Promise<UpResult> {
  return withLock(paths, "cluster up", progress, () => upLocked(progress, paths, options));
}

const startTimeout: Record<Component, number> = {
  kubelet: 5_000,
  etcd: 20_000,
  "kube-apiserver": 60_000,
  "kube-controller-manager": 30_000,
  "kube-scheduler": 30_000,
  kwok: 30_000,
  "metrics-server": 30_000,
};
/** How long a running but silent component may take to answer (e.g. the API server after etcd came back). */
const settleTimeout = 15_000;

async function upLocked(progress: Progress, paths: LocalPaths, options: UpOptions): Promise<UpResult> {
  const started = Date.now();
  const recorded = options.fresh ? undefined : readState(paths);
  const fresh = recorded === undefined;
  let state: State;
  if (recorded === undefined) {
    if (existsSync(paths.root)) {
      const why = options.fresh ? "--fresh" : "no cluster state was recorded there";
      progress(`${why}: deleting ${paths.root} and starting an empty cluster`);
    }
    await stopAll(paths);
    await releasePorts(paths.root);
    await rm(paths.root, { recursive: true, force: true });
    // Made before its ports are reserved: a reservation whose folder is gone is anyone's.
    await makePrivateDir(paths.root);
    state = await newState(paths.root);
  } else {
    state = recorded;
    progress(`found the local cluster in ${paths.root}: keeping its data, restarting only what is missing`);
    await claimPorts(paths.root, state.ports);
  }
  await Promise.all([paths.root, paths.logs, paths.nodes].map(makePrivateDir));
  const writer = new StateWriter(paths);
  await writer.save(state);

  const binary = await ensureBinary(progress);
  await movePkiToNode(paths);
  if (!existsSync(join(paths.pki, "etcd", "ca.crt"))) progress("creating certificates");
  await execa(binary, ["certs", `--dir=${paths.pki}`]);
  const stages = join(paths.root, "stages.yaml");
  // Clusters made before the nodes had a kubelet API get a port for it now.
  state.ports.kubelet ??= await reservePort(paths.root);
  await writer.save(state);
  await writeAtomic(stages, await renderStages(kubernetesVersion, state.ports.kubelet));
  await writeAtomic(paths.kubeconfig, await internalKubeconfig(paths, state.ports.apiserver));

  state.ports.etcdMetrics ??= await reservePort(paths.root);
  state.ports.metricsServer ??= await reservePort(paths.root);
  await ensureControlPlaneFiles(
    paths,
    { ...state.ports, kubelet: state.ports.kubelet, etcdMetrics: state.ports.etcdMetrics },
    !state.manifests,
  );
  state.manifests = true;
  await writer.save(state);

  const restarted: Component[] = [];
  const current = state;
  const ensure = async (name: StartedComponent) => {
    if (await ensureComponent(name, binary, stages, current, paths, progress)) restarted.push(name);
    await writer.save(current);
  };
  // A process of a component this version does not have is left from an older kubedrill.
  for (const p of processesIn(paths.root).filter((r) => !isComponent(r.component)))
    await stopProcess(p.pid, paths.root);
  // The control plane without its kubelet is left from an older kubedrill or a killed kubelet.
  if (!processesIn(paths.root).some((p) => p.component === "kubelet")) await stopStaticPodComponents(paths);
  await ensure("kubelet");
  for (const name of ["etcd", "kube-apiserver"] as const) {
    const why = await awaitStaticPod(name, current.ports, paths);
    if (why) {
      throw new ClusterError(
        `the local cluster's ${name} did not start: ${why}`,
        localContext,
        `fix /etc/kubernetes/manifests/${name}.yaml in kubedrill node shell kubedrill-control-plane (the kubelet restarts it within a second), or start over with kubedrill cluster up --fresh`,
      );
    }
  }
  const failed: string[] = [];
  await Promise.all([
    ...(["kube-controller-manager", "kube-scheduler"] as const).map(async (name) => {
      const why = await awaitStaticPod(name, current.ports, paths);
      if (why) {
        failed.push(`${name}: ${why}`);
        progress(`${name} is not serving: ${why}`);
      }
    }),
    ensure("kwok"),
    ensure("metrics-server"),
  ]);

  const nodes = await ensureNodes(paths, current.ports.apiserver, progress);
  if (!nodes.ready) {
    throw new ClusterError(
      `the local nodes did not become Ready; last lines of ${logFile(paths, "kwok")}:\n${lastLines(logFile(paths, "kwok"))}`,
      localContext,
      "see the log above; kubedrill cluster up again restarts what is missing and keeps the cluster's objects",
    );
  }
  await ensureAddons(binary, paths, current.ports, progress);
  if (current.identity && current.identity !== nodes.identity) {
    progress(`kube-system's uid changed (${current.identity} → ${nodes.identity}): etcd's data was replaced`);
  }
  current.identity = nodes.identity;
  await writer.save(current);
  const userKubeconfig = kubeconfigFile();
  await mergeLocalContext(userKubeconfig, paths, current);
  return {
    alreadyRunning: restarted.length === 0 && nodes.created.length === 0,
    fresh,
    started: restarted,
    failed,
    kubeconfig: userKubeconfig,
    server: server(current.ports),
    seconds: (Date.now() - started) / 1000,
  };
}

/** A cluster made before the PKI lived on the control-plane node keeps its CA: its folder moves there. */
async function movePkiToNode(paths: LocalPaths): Promise<void> {
  const old = join(paths.root, "pki");
  await mkdir(dirname(paths.pki), { recursive: true });
  if (existsSync(old) && !existsSync(paths.pki)) await rename(old, paths.pki);
}

async function newState(root: string): Promise<State> {
  const port = () => reservePort(root);
  const ports: Ports = {
    etcd: await port(),
    etcdPeer: await port(),
    apiserver: await port(),
    controllerManager: await port(),
    scheduler: await port(),
    kwok: await port(),
    kubelet: await port(),
    etcdMetrics: await port(),
    metricsServer: await port(),
  };
  return { version: 2, ports, components: {}, createdAt: new Date().toISOString() };
}

/**
 * Waits for a control-plane component the kubelet runs to answer; undefined when it
 * does, else why not (early, when the kubelet says waiting will not help).
 */
async function awaitStaticPod(
  name: StaticPodComponent,
  ports: Ports,
  paths: LocalPaths,
): Promise<string | undefined> {
  const serving = await waitFor(async () => {
    if (await probe(name, ports, paths)) return true;
    if (staticPodFailed(readKubeletStatus(paths), name)) throw new Error("failed");
    return false;
  }, startTimeout[name]);
  return serving ? undefined : describeStaticPod(paths, name);
}

async function stopStaticPodComponents(paths: LocalPaths): Promise<void> {
  const running = processesIn(paths.root);
  for (const name of [...staticPodComponents].reverse()) {
    for (const p of running.filter((r) => r.component === name)) await stopProcess(p.pid, paths.root);
  }
}

/**
 * Keeps a component that runs and answers; restarts one that is gone or stays silent;
 * stops any extra copy (a concurrent or interrupted run may have left one). Returns
 * whether it (re)started the component.
 */
async function ensureComponent(
  name: StartedComponent,
  binary: string,
  stages: string,
  state: State,
  paths: LocalPaths,
  progress: Progress,
): Promise<boolean> {
  const running = processesIn(paths.root).filter((p) => p.component === name);
  const recorded = state.components[name]?.pid;
  const keep = running.find((p) => p.pid === recorded) ?? running[0];
  for (const extra of running.filter((p) => p !== keep)) await stopProcess(extra.pid, paths.root);
  if (keep) {
    if (await waitFor(() => probe(name, state.ports, paths), settleTimeout, 250)) {
      state.components[name] = { pid: keep.pid, binary: keep.binary };
      return false;
    }
    progress(
      `${name} (pid ${keep.pid}) runs but does not answer at ${health(name, state.ports)?.url}: restarting it`,
    );
    await stopProcess(keep.pid, paths.root);
  } else if (recorded !== undefined) {
    progress(`${name} is not running: starting it again on the same data`);
  } else {
    progress(`starting ${name}`);
  }
  const log = logFile(paths, name);
  const pid = startDetached(
    binary,
    [name, ...args(name, paths, state.ports, stages, controlPlaneImages())],
    log,
    paths.root,
  );
  state.components[name] = { pid, binary };
  const ready = await waitFor(async () => {
    if (!processesIn(paths.root).some((p) => p.pid === pid)) throw new Error("exited");
    return probe(name, state.ports, paths);
  }, startTimeout[name]);
  if (!ready) {
    throw new ClusterError(
      `the local cluster's ${name} did not start; last lines of ${log}:\n${lastLines(log)}`,
      localContext,
      "fix what the log says, then run kubedrill cluster up again (it keeps the cluster's objects)",
    );
  }
  return true;
}

/**
 * Stops every process of the cluster in paths, found by its folder: the kubelet first
 * (it stops the control plane it runs), then clients before their servers.
 */
async function stopAll(paths: LocalPaths): Promise<void> {
  const order = ["kubelet", ...[...componentNames].filter((c) => c !== "kubelet").reverse()];
  for (const name of order) {
    for (const p of processesIn(paths.root).filter((r) => r.component === name))
      await stopProcess(p.pid, paths.root);
  }
}

/** Stops every component, deletes the cluster's state (every object in it) and removes its context. */
export function down(paths = localPaths(), progress: Progress = () => {}): Promise<{ wasRunning: boolean }> {
  return withLock(paths, "cluster down", progress, async () => {
    const wasRunning = existsSync(paths.root);
    await stopAll(paths);
    await releasePorts(paths.root);
    await rm(paths.root, { recursive: true, force: true });
    const file = kubeconfigFile();
    // Another cluster's context of the same name (state elsewhere) is not ours to remove.
    const marker = markerFor(localContext, [file]);
    if (!marker || marker.stateDir === paths.root) await removeContext(file, localContext);
    return { wasRunning };
  });
}
