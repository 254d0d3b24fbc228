import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { execa } from "execa";
import { ClusterError } from "../../errors.js";
import { KubeApi } from "../api.js";
import { kubeconfigFile, mergeContext, removeContext } from "../kubeconfig-file.js";
import { ensureBinary, kubernetesVersion, type Progress } from "./build.js";
import {
  args,
  type Component,
  componentNames,
  healthUrl,
  type LocalPaths,
  localPaths,
  type Ports,
} from "./components.js";
import { localContext } from "./context.js";
import { renderStages } from "./images.js";
import { createNodeRoot, localNodes, nodeObject } from "./nodes.js";
import { freePort, isOurs, lastLines, startDetached, stopProcess, waitFor } from "./processes.js";

export { localContext };

interface State {
  binary: string;
  ports: Ports;
  pids: Partial<Record<Component, number>>;
}

export interface ComponentStatus {
  name: Component;
  healthy: boolean;
  pid?: number;
  log: string;
  detail?: string;
}

async function readState(paths: LocalPaths): Promise<State | undefined> {
  if (!existsSync(paths.stateFile)) return undefined;
  return JSON.parse(await readFile(paths.stateFile, "utf8")) as State;
}

const logFile = (paths: LocalPaths, name: Component) => join(paths.logs, `${name}.log`);

async function probe(url: string, paths: LocalPaths): Promise<boolean> {
  if (url.startsWith("http:")) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok ?? false;
  }
  const [cert, key, ca] = await Promise.all(
    ["admin.crt", "admin.key", "ca.crt"].map((f) => readFile(join(paths.pki, f))),
  );
  return new Promise((resolve) => {
    const req = request(url, { cert, key, ca, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

export async function isRunning(paths = localPaths()): Promise<boolean> {
  const state = await readState(paths);
  if (!state?.pids["kube-apiserver"]) return false;
  if (!isOurs(state.pids["kube-apiserver"], state.binary)) return false;
  return probe(healthUrl("kube-apiserver", state.ports) as string, paths);
}

export async function status(paths = localPaths()): Promise<ComponentStatus[] | undefined> {
  const state = await readState(paths);
  if (!state) return undefined;
  return Promise.all(
    componentNames.map(async (name): Promise<ComponentStatus> => {
      const pid = state.pids[name];
      const log = logFile(paths, name);
      if (!pid || !isOurs(pid, state.binary))
        return { name, healthy: false, pid, log, detail: "not running" };
      const url = healthUrl(name, state.ports);
      const healthy = url ? await probe(url, paths) : true;
      return { name, healthy, pid, log, detail: healthy ? undefined : `no healthy answer from ${url}` };
    }),
  );
}

export interface UpResult {
  alreadyRunning: boolean;
  kubeconfig: string;
  server: string;
  seconds: number;
}

/**
 * Starts the local control plane and three simulated nodes, and makes the
 * kubedrill-local context current in the user's kubeconfig (or $KUBECONFIG).
 */
export async function up(progress: Progress, paths = localPaths()): Promise<UpResult> {
  const userKubeconfig = kubeconfigFile();
  if (await isRunning(paths)) {
    const state = (await readState(paths)) as State;
    await mergeContext(userKubeconfig, await contextEntry(paths, state.ports.apiserver));
    return { alreadyRunning: true, kubeconfig: userKubeconfig, server: server(state.ports), seconds: 0 };
  }
  const binary = await ensureBinary(progress);
  const started = Date.now();
  await stopAll(paths);
  await rm(paths.root, { recursive: true, force: true });
  await Promise.all([paths.logs, paths.nodes].map((d) => mkdir(d, { recursive: true })));
  const ports: Ports = {
    etcd: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kwok: await freePort(),
  };
  const state: State = { binary, ports, pids: {} };
  const save = () => writeFile(paths.stateFile, JSON.stringify(state, null, 2));

  progress("creating certificates");
  await execa(binary, ["certs", `--dir=${paths.pki}`]);
  const stages = join(paths.root, "stages.yaml");
  await writeFile(stages, await renderStages(kubernetesVersion));
  await writeFile(paths.kubeconfig, await internalKubeconfig(paths, ports.apiserver));

  const start = async (name: Component, timeoutMs: number) => {
    state.pids[name] = startDetached(
      binary,
      [name, ...args(name, paths, ports, stages)],
      logFile(paths, name),
      paths.root,
    );
    await save();
    const url = healthUrl(name, ports);
    const ready = await waitFor(async () => {
      if (!isOurs(state.pids[name] as number, binary)) throw new Error("exited");
      return url ? probe(url, paths) : true;
    }, timeoutMs);
    if (!ready) {
      await stopAll(paths);
      throw new ClusterError(
        `the local cluster's ${name} did not start; last lines of ${logFile(paths, name)}:\n${lastLines(logFile(paths, name))}`,
        localContext,
        "fix what the log says, then: kubedrill cluster down && kubedrill cluster up",
      );
    }
  };

  progress("starting etcd and kube-apiserver");
  await start("etcd", 20_000);
  await start("kube-apiserver", 60_000);
  progress("starting kube-controller-manager, kube-scheduler, kwok and the static-pod agent");
  await Promise.all([
    start("kube-controller-manager", 30_000),
    start("kube-scheduler", 30_000),
    start("kwok", 30_000),
    start("static-pods", 5_000),
  ]);

  progress("registering nodes kubedrill-control-plane, kubedrill-worker, kubedrill-worker2");
  const api = KubeApi.load({ kubeconfig: paths.kubeconfig });
  for (const node of localNodes) {
    await createNodeRoot(paths.nodes, node.name);
    await api.create(nodeObject(node));
  }
  const ready = await waitFor(async () => {
    const nodes = await api.list("v1", "Node");
    const allReady = nodes.every((n) =>
      ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
        (c) => c.type === "Ready" && c.status === "True",
      ),
    );
    // Pods are refused until the namespace's default ServiceAccount exists.
    const account = await api.get("v1", "ServiceAccount", "default", "default");
    return nodes.length === localNodes.length && allReady && account !== undefined;
  }, 60_000);
  if (!ready) {
    await stopAll(paths);
    throw new ClusterError(
      `the local nodes did not become Ready; last lines of ${logFile(paths, "kwok")}:\n${lastLines(logFile(paths, "kwok"))}`,
      localContext,
      "kubedrill cluster down && kubedrill cluster up",
    );
  }
  await mergeContext(userKubeconfig, await contextEntry(paths, ports.apiserver));
  return {
    alreadyRunning: false,
    kubeconfig: userKubeconfig,
    server: server(ports),
    seconds: (Date.now() - started) / 1000,
  };
}

const server = (ports: Ports) => `https://127.0.0.1:${ports.apiserver}`;

async function contextEntry(paths: LocalPaths, port: number) {
  const data = async (f: string) => (await readFile(join(paths.pki, f))).toString("base64");
  return {
    name: localContext,
    server: `https://127.0.0.1:${port}`,
    certificateAuthorityData: await data("ca.crt"),
    clientCertificateData: await data("admin.crt"),
    clientKeyData: await data("admin.key"),
  };
}

async function internalKubeconfig(paths: LocalPaths, port: number): Promise<string> {
  // Loaded here only: every command that merely names localContext would otherwise pay for it.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  const entry = await contextEntry(paths, port);
  config.loadFromOptions({
    clusters: [{ name: localContext, server: entry.server, caData: entry.certificateAuthorityData }],
    users: [{ name: localContext, certData: entry.clientCertificateData, keyData: entry.clientKeyData }],
    contexts: [{ name: localContext, cluster: localContext, user: localContext }],
    currentContext: localContext,
  });
  return config.exportConfig();
}

async function stopAll(paths: LocalPaths): Promise<void> {
  const state = await readState(paths);
  if (!state) return;
  // Stop in reverse start order so clients go before the server they talk to.
  for (const name of [...componentNames].reverse()) {
    const pid = state.pids[name];
    if (pid) await stopProcess(pid, state.binary);
  }
}

/** Stops every component, deletes the cluster's state and removes its kubeconfig context. */
export async function down(paths = localPaths()): Promise<{ wasRunning: boolean }> {
  const wasRunning = existsSync(paths.stateFile);
  await stopAll(paths);
  await rm(paths.root, { recursive: true, force: true });
  await removeContext(kubeconfigFile(), localContext);
  return { wasRunning };
}
