import type { Progress } from "../local/build.js";
import { localPaths } from "../local/components.js";
import { down, localContext, status, up } from "../local/control-plane.js";
import type { ClusterDriver, PartStatus, UpResult } from "./driver.js";

/** The control plane built from source with simulated (kwok) nodes: no Docker needed. */
export class LocalDriver implements ClusterDriver {
  readonly name = "local";
  readonly context = localContext;

  constructor(private readonly paths = localPaths()) {}

  async up(progress: Progress): Promise<UpResult> {
    const result = await up(progress, this.paths);
    return {
      context: this.context,
      alreadyRunning: result.alreadyRunning,
      seconds: result.seconds,
      detail: `API server ${result.server}, kubeconfig ${result.kubeconfig}`,
    };
  }

  down(): Promise<{ wasRunning: boolean }> {
    return down(this.paths);
  }

  async status(): Promise<PartStatus[] | undefined> {
    const components = await status(this.paths);
    return components?.map((c) => ({
      name: c.name,
      healthy: c.healthy,
      detail: c.healthy ? `pid ${c.pid}` : `${c.detail}; log: ${c.log}`,
    }));
  }
}
