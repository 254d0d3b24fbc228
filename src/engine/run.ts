import type { LoadedTask } from "../catalog/load.js";
import { type GradeEnv, gradeReport, gradeTask } from "./grade.js";
import type { ClusterWriter, NodeAccess } from "./ports.js";
import { resetTask, startTask } from "./setup.js";
import type { GradeReport } from "./types.js";
import { fill, resolveVars, type Vars } from "./vars.js";

/** A cluster to work on: its API and, where the driver offers it, node access. */
export interface Target {
  api: ClusterWriter;
  nodes?: NodeAccess;
  context: string;
}

export function totalPoints(loaded: LoadedTask): number {
  return loaded.task.checks.reduce((sum, c) => sum + c.points, 0);
}

/** The learner's view of a task; {{vars}} are filled when a cluster is at hand. */
export async function describeTask(loaded: LoadedTask, target?: Target): Promise<string> {
  const { task } = loaded;
  const vars: Vars = target ? await resolveVars(task, target.api, target.nodes) : {};
  return [
    `${task.title}  [${task.id}]`,
    `domain ${task.domain} · ${task.difficulty} · ${task.minutes} min · ${totalPoints(loaded)} points · namespace ${task.namespace}`,
    "",
    fill(task.description, vars).trimEnd(),
  ].join("\n");
}

export async function start(loaded: LoadedTask, target: Target): Promise<Vars> {
  const vars = await resolveVars(loaded.task, target.api, target.nodes);
  await startTask(loaded, { cluster: target.api, nodes: target.nodes, vars });
  return vars;
}

export async function reset(loaded: LoadedTask, target: Target): Promise<void> {
  const vars = await resolveVars(loaded.task, target.api, target.nodes);
  await resetTask(loaded, { cluster: target.api, nodes: target.nodes, vars });
}

/** Grades tasks concurrently: they read disjoint namespaces, and waiting on one must not delay the others. */
export async function grade(
  tasks: LoadedTask[],
  target: Target,
  passMark: number,
  onWait?: GradeEnv["onWait"],
): Promise<GradeReport> {
  const startedAt = new Date();
  const results = await Promise.all(
    tasks.map((loaded) => gradeTask(loaded, { cluster: target.api, nodes: target.nodes, onWait })),
  );
  return gradeReport(results, { passMark, context: target.context, startedAt });
}

/** The reference solution with {{vars}} filled, ready for a shell. */
export async function solutionScript(loaded: LoadedTask, target: Target): Promise<string> {
  return fill(loaded.task.solution, await resolveVars(loaded.task, target.api, target.nodes));
}
