import { basename, dirname } from "node:path";
import { catalogFolders, findTask, findTaskFiles, openCatalog } from "../catalog/catalog.js";
import { type LoadedTask, loadTask as loadTaskFile } from "../catalog/load.js";
import { type Capabilities, detectCapabilities } from "../cluster/capabilities.js";
import { type Connection, connect } from "../cluster/connect.js";
import { expressionChecker } from "../engine/cel.js";
import { apiDown, TaskError } from "../errors.js";
import type { GlobalOptions } from "./program.js";

const folders = (options: GlobalOptions) => catalogFolders(options.tasks, options.builtin !== false);

export function loadTasks(options: GlobalOptions): Promise<LoadedTask[]> {
  return openCatalog(folders(options), expressionChecker);
}

/**
 * One task by id. A task's folder carries its id (validate insists), so when exactly one
 * folder has that name only its file is read: a cold `check` then costs the same with
 * nine tasks or eighty. Anything else (no such folder, two of them, an id that differs
 * from its folder) goes through the whole catalog, which says what is wrong.
 */
export async function loadTask(options: GlobalOptions, id: string): Promise<LoadedTask> {
  const files = await findTaskFiles(folders(options));
  const named = files.filter((file) => basename(dirname(file)) === id);
  if (named.length === 1 && named[0]) {
    const result = await loadTaskFile(named[0], expressionChecker);
    if (!result.ok) throw new TaskError(result.problems);
    if (result.loaded.task.id === id) return result.loaded;
  }
  return findTask(await loadTasks(options), id);
}

/** A connection and what its cluster can do, so that tasks it cannot run are refused or skipped. */
export async function connectFor(
  options: GlobalOptions,
  write = false,
): Promise<Connection & { capabilities?: Capabilities }> {
  const connection = await connect({ ...options, write });
  // With the API server down (connect allows it where nodes are reached) nothing is known: every task runs.
  const capabilities = await detectCapabilities(connection).catch((err: unknown) => {
    if (apiDown(err)) return undefined;
    throw err;
  });
  return { ...connection, capabilities };
}
