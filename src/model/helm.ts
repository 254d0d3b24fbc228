import type { ToolResult } from "./node-access.js";

/** The helm tool, aimed at one cluster (its kubeconfig and context): what a setup step installs charts with. */
export interface Helm {
  /** Runs helm with these arguments; never throws for a non-zero exit. */
  run(args: string[]): Promise<ToolResult>;
}
