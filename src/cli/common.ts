import type { Command } from "commander";
import { findTask, openCatalog } from "../catalog/catalog.js";
import type { LoadedTask } from "../catalog/load.js";
import { type Connection, connect } from "../cluster/connect.js";

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
  return openCatalog(options.tasks);
}

export async function loadTask(options: GlobalOptions, id: string): Promise<LoadedTask> {
  return findTask(await loadTasks(options), id);
}

export function connectFor(options: GlobalOptions, write = false): Promise<Connection> {
  return connect({ ...options, write });
}
