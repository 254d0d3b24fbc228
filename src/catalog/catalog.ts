import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { TaskError, type TaskProblem, UsageError } from "../errors.js";
import { packagePath } from "../model/package-root.js";
import type { ExpressionChecker } from "../model/template.js";
import { type LoadedTask, loadTask } from "./load.js";

/** The catalog shipped with kubedrill. */
export const builtinTasks = packagePath("tasks/");

export interface Catalog {
  tasks: LoadedTask[];
  problems: TaskProblem[];
}

/** Every task.yaml below the given folders (or a task.yaml path given directly). */
export async function findTaskFiles(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or folder: ${path}`);
    if (info.isFile()) {
      found.push(path);
      return;
    }
    const entries = await readdir(path, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot read the task folder ${path} (${err.code ?? err.message})`,
        `make it readable (chmod u+rx ${path}) or leave it out of --tasks`,
      );
    });
    if (existsSync(join(path, "task.yaml"))) found.push(join(path, "task.yaml"));
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules") {
        await walk(join(path, entry.name));
      }
    }
  };
  for (const path of paths) await walk(path);
  return [...new Set(found)].sort();
}

/** Loads every task, collecting every problem (including duplicate ids) instead of stopping at the first. */
export async function loadCatalog(paths: string[], expressionChecker: ExpressionChecker): Promise<Catalog> {
  const files = await findTaskFiles(paths);
  const results = await Promise.all(files.map((file) => loadTask(file, expressionChecker)));
  const tasks: LoadedTask[] = [];
  const problems: TaskProblem[] = [];
  const seen = new Map<string, string>();
  for (const result of results) {
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const { task, file } = result.loaded;
    const first = seen.get(task.id);
    if (first) {
      problems.push({
        file,
        line: 1,
        column: 1,
        path: "id",
        message: `duplicate task id "${task.id}" (also in ${first})`,
      });
      continue;
    }
    seen.set(task.id, file);
    tasks.push(result.loaded);
  }
  return { tasks, problems };
}

/** The built-in catalog plus extra folders; refuses to go on when any task is invalid. */
/** The folders a catalog is read from: the built-in one (unless left out), then the extra ones. */
export function catalogFolders(extra: string[], builtin = true): string[] {
  return [...(builtin ? [builtinTasks] : []), ...extra];
}

export async function openCatalog(
  folders: string[],
  expressionChecker: ExpressionChecker,
): Promise<LoadedTask[]> {
  const catalog = await loadCatalog(folders, expressionChecker);
  if (catalog.problems.length > 0) throw new TaskError(catalog.problems);
  return catalog.tasks;
}

export function findTask(tasks: LoadedTask[], id: string): LoadedTask {
  const task = tasks.find((t) => t.task.id === id);
  if (!task) {
    const near = tasks.filter((t) => t.task.id.includes(id) || id.includes(t.task.id)).map((t) => t.task.id);
    throw new UsageError(
      `no task "${id}" in the catalog`,
      near.length ? `did you mean ${near.join(", ")}?` : "list the tasks with: kubedrill list",
    );
  }
  return task;
}
