import { ClusterError } from "../../errors.js";
import type { Progress } from "../local/build.js";
import { lastMessage, mustRun, runTool } from "../tools.js";
import {
  type ClusterDriver,
  clusterName,
  minikubeContext,
  type PartStatus,
  type UpResult,
} from "./driver.js";

/** The same Kubernetes as kind-config.yaml's node image. */
export const minikubeKubernetesVersion = "v1.33.1";

/**
 * Three nodes like kind's; containerd like kind's, so node-level tasks find the same
 * runtime files; Calico, because minikube's default CNI does not enforce NetworkPolicy.
 */
export const minikubeStartFlags = [
  "--nodes=3",
  `--kubernetes-version=${minikubeKubernetesVersion}`,
  "--container-runtime=containerd",
  "--cni=calico",
];

interface NodeStatus {
  Name: string;
  Host: string;
  Kubelet: string;
  APIServer: string;
  Worker?: boolean;
}

const hint = `see minikube's message above; \`minikube -p ${clusterName} logs\` tells more`;

/** A minikube profile "kubedrill". `minikube start` is idempotent: on a running profile it only checks it. */
export class MinikubeDriver implements ClusterDriver {
  readonly name = "minikube";
  readonly context = minikubeContext;

  private minikube(args: string[], showOutput = false) {
    return mustRun("minikube", ["-p", clusterName, ...args], { showOutput, hint });
  }

  async up(progress: Progress): Promise<UpResult> {
    const started = Date.now();
    progress(
      `starting minikube profile "${clusterName}" (three nodes, Kubernetes ${minikubeKubernetesVersion})`,
    );
    await this.minikube(["start", ...minikubeStartFlags], true);
    return { context: this.context, alreadyRunning: false, seconds: (Date.now() - started) / 1000 };
  }

  async down(progress: Progress): Promise<{ wasRunning: boolean }> {
    if ((await this.status()) === undefined) return { wasRunning: false };
    progress(`deleting minikube profile "${clusterName}"`);
    await this.minikube(["delete"], true);
    return { wasRunning: true };
  }

  /** One row per minikube node; exits non-zero whenever something is stopped, so the JSON decides. */
  async status(): Promise<PartStatus[] | undefined> {
    const result = await runTool("minikube", ["-p", clusterName, "status", "--output=json"]);
    let parsed: NodeStatus | NodeStatus[];
    try {
      parsed = JSON.parse(result.stdout) as NodeStatus | NodeStatus[];
    } catch {
      if (/not found/i.test(lastMessage(result))) return undefined;
      throw new ClusterError(
        `\`minikube -p ${clusterName} status\` failed: ${lastMessage(result)}`,
        this.context,
        hint,
      );
    }
    const nodes = Array.isArray(parsed) ? parsed : [parsed];
    if (nodes.every((n) => n.Host === "Nonexistent")) return undefined;
    return nodes.map((n) => ({
      name: n.Name,
      healthy:
        n.Host === "Running" && n.Kubelet === "Running" && (n.Worker === true || n.APIServer === "Running"),
      detail: `host ${n.Host}, kubelet ${n.Kubelet}${n.Worker ? "" : `, apiserver ${n.APIServer}`}`,
    }));
  }
}
