import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalPaths, StaticPodComponent } from "./components.js";

// What the control-plane node's kubelet (scripts/local-cluster/cpkubelet.go) says about
// the pods it runs, read from the file it keeps: the CLI needs it exactly when the API
// server, where the mirror pods are, does not answer.

export interface StaticPodState {
  pid?: number;
  state: "running" | "waiting";
  ready: boolean;
  reason?: string;
  message?: string;
  restartCount: number;
  exitCode?: number;
  /** The current container's CRI log file on this host. */
  log?: string;
}

export interface KubeletStatus {
  /** false after `systemctl stop kubelet` on the control-plane node. */
  active: boolean;
  pods: Record<string, StaticPodState>;
  /** Manifest files the kubelet cannot read, with why. */
  invalid?: Record<string, string>;
}

export const kubeletStatusFile = (paths: LocalPaths) => join(paths.root, "control-plane.json");

export function readKubeletStatus(paths: LocalPaths): KubeletStatus | undefined {
  try {
    return JSON.parse(readFileSync(kubeletStatusFile(paths), "utf8")) as KubeletStatus;
  } catch {
    return undefined;
  }
}

/** The message of a CRI log file's last line (`<time> <stream> <tag> <message>`). */
export function lastLogLine(file: string | undefined): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  const last = lines.at(-1) ?? "";
  return last.split(" ").slice(3).join(" ") || undefined;
}

/**
 * Why a control-plane component is not serving, as a learner on a kind node would
 * piece it together from crictl and the kubelet's journal, in one line.
 */
export function describeStaticPod(
  paths: LocalPaths,
  name: StaticPodComponent,
  status = readKubeletStatus(paths),
): string {
  const manifest = `/etc/kubernetes/manifests/${name}.yaml`;
  if (!status) return "the control-plane kubelet has not reported yet";
  const invalid = status.invalid?.[`${name}.yaml`];
  if (invalid) return `the kubelet cannot read ${manifest}: ${invalid}`;
  const pod = status.pods[name];
  if (!pod) return `no static pod named ${name} in /etc/kubernetes/manifests on kubedrill-control-plane`;
  const inactive = status.active ? "" : " (the kubelet on kubedrill-control-plane is stopped)";
  const last = lastLogLine(pod.log);
  if (pod.state === "running") {
    return `${name} runs (pid ${pod.pid}) but does not answer yet${inactive}${last ? `; last log line: ${last}` : ""}`;
  }
  const why = [pod.reason, pod.message].filter(Boolean).join(": ");
  const exit = pod.exitCode !== undefined ? `, last exit code ${pod.exitCode}` : "";
  const restarts = pod.restartCount > 0 ? `, ${pod.restartCount} restarts` : "";
  return `${name} is ${why || "waiting"}${exit}${restarts}${inactive}${last ? `: ${last}` : ""}`;
}

/** True when waiting longer will not help: the pod cannot start, or keeps exiting. */
export function staticPodFailed(status: KubeletStatus | undefined, name: StaticPodComponent): boolean {
  if (!status) return false;
  if (status.invalid?.[`${name}.yaml`]) return true;
  const pod = status.pods[name];
  if (!pod) return true;
  if (pod.state === "running") return false;
  return (
    pod.restartCount >= 2 ||
    ["ErrImagePull", "ImagePullBackOff", "RunContainerError", "CreateContainerConfigError"].includes(
      pod.reason ?? "",
    )
  );
}
