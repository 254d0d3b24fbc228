import type { Command } from "commander";
import { findTask, openCatalog } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import { type Capabilities, detectCapabilities } from "../cluster/capabilities.js";
import { type Connection, connect } from "../cluster/connect.js";
import { compileCel } from "../engine/cel.js";

export interface GlobalOptions {
  context?: string;
  kubeconfig?: string;
  tasks: string[];
  allowContext?: string;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function loadTasks(options: GlobalOptions): Promise<LoadedTask[]> {
  return openCatalog(options.tasks, compileCel);
}

export async function loadTask(options: GlobalOptions, id: string): Promise<LoadedTask> {
  return findTask(await loadTasks(options), id);
}

/** A connection and what its cluster can do, so that tasks it cannot run are refused or skipped. */
export async function connectFor(
  options: GlobalOptions,
  write = false,
): Promise<Connection & { capabilities: Capabilities }> {
  const connection = await connect({ ...options, write });
  return { ...connection, capabilities: await detectCapabilities(connection) };
}
