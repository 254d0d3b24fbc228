import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import type { KubeConfig } from "@kubernetes/client-node";
import { ClusterRequestError } from "../errors.js";
import { seconds } from "./api-errors.js";

/** How long an exec credential plugin (aws, gke-gcloud-auth-plugin, kubelogin…) may take. */
export const execPluginTimeoutMs = 30_000;

type Spawn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/**
 * client-node runs exec credential plugins with no time limit, so a plugin waiting for a
 * browser login hangs every command. Its spawn function is swapped for one that kills the
 * plugin after `ms`; the plugins killed so are remembered to name them in the error.
 */
export function boundExecPlugins(config: KubeConfig, ms: number): (err: Error) => Error {
  const killed = new Set<string>();
  const authenticators = (config as unknown as { authenticators?: object[] }).authenticators ?? [];
  for (const auth of authenticators) {
    if (!("execFn" in auth)) continue;
    (auth as { execFn: Spawn }).execFn = (command, args, options) => {
      const child = spawn(command, args, { ...options, timeout: ms, killSignal: "SIGKILL" });
      child.on("exit", (_code, signal) => {
        if (signal !== "SIGKILL") return;
        killed.add(command);
        // A grandchild (sh → sleep) may hold the pipes open; client-node waits for them to close.
        child.stdout?.destroy();
        child.stderr?.destroy();
      });
      return child;
    };
  }
  const context = config.getCurrentContext();
  return (err) => {
    const [plugin] = killed;
    if (!plugin) return err;
    return new ClusterRequestError(
      "timeout",
      `the exec credential plugin "${plugin}" of context "${context}" gave no credential within ${seconds(ms)}`,
      context,
      `run it by hand to see what it waits for (e.g. a login): kubectl config view --minify; then retry`,
    );
  };
}
