import { findTask, openCatalog } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import { type Capabilities, detectCapabilities } from "../cluster/capabilities.js";
import { type Connection, connect } from "../cluster/connect.js";
import type { GlobalOptions } from "./program.js";

export function loadTasks(options: GlobalOptions): Promise<LoadedTask[]> {
  return openCatalog(options.tasks);
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
