import type { Progress } from "../local/build.js";
import type { LocalPaths } from "../local/components.js";
import { localPaths } from "../local/components.js";
import { down, localContext, status, type UpOptions, up } from "../local/control-plane.js";
import { locateLocal } from "../local/locate.js";
import type { ClusterDriver, PartStatus, UpResult } from "./driver.js";

/** The control plane built from source with simulated (kwok) nodes: no Docker needed. */
export class LocalDriver implements ClusterDriver {
  readonly name = "local";
  readonly context = localContext;

  /** Without paths: up uses the environment's state folder; down and status the one the context records. */
  constructor(private readonly paths?: LocalPaths) {}

  async up(progress: Progress, options: UpOptions = {}): Promise<UpResult> {
    const result = await up(progress, this.paths ?? localPaths(), options);
    const kept = result.fresh ? "a new, empty cluster" : "the cluster's objects were kept";
    const what = !result.fresh && result.started.length > 0 ? `; restarted ${result.started.join(", ")}` : "";
    const failed = result.failed.length > 0 ? `; not serving: ${result.failed.join("; ")}` : "";
    return {
      context: this.context,
      alreadyRunning: result.alreadyRunning,
      seconds: result.seconds,
      detail: `API server ${result.server}, kubeconfig ${result.kubeconfig}; ${kept}${what}${failed}`,
    };
  }

  down(progress: Progress): Promise<{ wasRunning: boolean }> {
    return down(this.paths ?? locateLocal(), progress);
  }

  async status(): Promise<PartStatus[] | undefined> {
    const components = await status(this.paths ?? locateLocal({ mustExist: true }));
    return components?.map((c) => ({
      name: c.name,
      healthy: c.healthy,
      detail: c.healthy ? `pid ${c.pid}` : `${c.detail}; log: ${c.log}`,
    }));
  }
}
