import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import {
  type Component,
  componentNames,
  health,
  isStaticPodComponent,
  type LocalPaths,
  type Ports,
} from "./components.js";
import { describeStaticPod, readKubeletStatus } from "./kubelet-status.js";
import { type ClusterProcess, processesIn } from "./processes.js";

export interface ComponentStatus {
  name: Component;
  healthy: boolean;
  pid?: number;
  log: string;
  detail?: string;
}

/** Where a component's output is: the kubelet's container log for the control plane, else logs/NAME.log. */
export function logFile(paths: LocalPaths, name: Component): string {
  const fallback = join(paths.logs, `${name}.log`);
  if (!isStaticPodComponent(name)) return fallback;
  return readKubeletStatus(paths)?.pods[name]?.log ?? fallback;
}

/** Asks a component's health endpoint, presenting the client certificate it requires. */
export async function probe(name: Component, ports: Ports, paths: LocalPaths): Promise<boolean> {
  const target = health(name, ports);
  if (!target) return true;
  if (!target.identity) {
    const res = await fetch(target.url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok ?? false;
  }
  const { identity } = target;
  const read = (f: string) => readFile(join(paths.pki, f)).catch(() => undefined);
  const [cert, key, ca] = await Promise.all([
    read(identity.cert),
    read(identity.key),
    identity.ca && read(identity.ca),
  ]);
  if (!cert || !key || (identity.ca && !ca)) return false;
  const tls = { cert, key, ca: ca || undefined, rejectUnauthorized: identity.ca !== undefined };
  return new Promise((resolve) => {
    const req = request(target.url, { ...tls, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** Each component's health from its process (found by the state folder) and from its endpoint. */
export async function componentHealth(
  paths: LocalPaths,
  ports: Ports,
  running: ClusterProcess[] = processesIn(paths.root),
): Promise<ComponentStatus[]> {
  const kubelet = readKubeletStatus(paths);
  return Promise.all(
    componentNames.map(async (name): Promise<ComponentStatus> => {
      const log = logFile(paths, name);
      const pids = running.filter((p) => p.component === name).map((p) => p.pid);
      const staticPod = isStaticPodComponent(name);
      if (pids.length === 0) {
        const kubeletRuns = running.some((p) => p.component === "kubelet");
        const why = !staticPod
          ? ""
          : kubeletRuns
            ? `: ${describeStaticPod(paths, name, kubelet)}`
            : "; nor does the kubelet that runs it";
        return { name, healthy: false, log, detail: `not running (no process)${why}` };
      }
      const pid = pids[0];
      const healthy = await probe(name, ports, paths);
      const url = health(name, ports)?.url;
      return {
        name,
        healthy,
        pid,
        log,
        detail: healthy
          ? undefined
          : `pid ${pid} runs but ${url} gives no healthy answer${staticPod ? ` (${describeStaticPod(paths, name, kubelet)})` : ""}`,
      };
    }),
  );
}
