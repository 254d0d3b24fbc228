import { packagePath } from "../../model/package-root.js";
import type { Progress } from "../local/build.js";
import { mustRun } from "../tools.js";
import { type ClusterDriver, clusterName, kindContext, type PartStatus, type UpResult } from "./driver.js";

/** kind-config.yaml at the package root. */
export const kindConfigFile = packagePath("kind-config.yaml");

const hint = "see kind's message above; `kind get clusters` lists what exists";

/** A kind cluster "kubedrill" from kind-config.yaml: one control plane, two workers. */
export class KindDriver implements ClusterDriver {
  readonly name = "kind";
  readonly context = kindContext;

  private async exists(): Promise<boolean> {
    // kind prints "No kind clusters found." on stderr when there are none.
    const { stdout } = await mustRun("kind", ["get", "clusters"], { hint });
    return stdout.split("\n").some((line) => line.trim() === clusterName);
  }

  async up(progress: Progress): Promise<UpResult> {
    const started = Date.now();
    if (await this.exists()) {
      // Makes the context current again, as `up` on a running local cluster does.
      await mustRun("kind", ["export", "kubeconfig", "--name", clusterName], { hint });
      return { context: this.context, alreadyRunning: true, seconds: 0 };
    }
    progress(
      `creating kind cluster "${clusterName}" from ${kindConfigFile} (the first run pulls the node image)`,
    );
    await mustRun("kind", ["create", "cluster", "--name", clusterName, "--config", kindConfigFile], {
      showOutput: true,
      hint,
    });
    return { context: this.context, alreadyRunning: false, seconds: (Date.now() - started) / 1000 };
  }

  async down(progress: Progress): Promise<{ wasRunning: boolean }> {
    if (!(await this.exists())) return { wasRunning: false };
    progress(`deleting kind cluster "${clusterName}"`);
    await mustRun("kind", ["delete", "cluster", "--name", clusterName], { showOutput: true, hint });
    return { wasRunning: true };
  }

  /** One row per node container, from the label kind puts on them. */
  async status(): Promise<PartStatus[] | undefined> {
    if (!(await this.exists())) return undefined;
    const { stdout } = await mustRun("docker", [
      "ps",
      "--all",
      "--filter",
      `label=io.x-k8s.kind.cluster=${clusterName}`,
      "--format",
      "{{.Names}}\t{{.State}}\t{{.Status}}",
    ]);
    return stdout
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => {
        const [name = "", state = "", detail = ""] = line.split("\t");
        return { name, healthy: state === "running", detail: `container ${detail || state}` };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
