import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import type { LoadedTask } from "../catalog/load.js";
import { ClusterError, KubedrillError, oneLinePerCause } from "../errors.js";
import type { Helm } from "../model/helm.js";
import type { GradeReport } from "../model/results.js";
import { type GradeEnv, gradeReport, gradeTask } from "./grade.js";
import type { ClusterWriter, NodeAccess } from "./ports.js";
import { type Capabilities, skipReason } from "./requires.js";
import { resetTask, startTask } from "./setup.js";
import { fill, instanceOf, resolveVars, type Vars } from "./vars.js";

/** A seed for a new attempt: six hex digits, short enough to read out and type again. */
export const newSeed = () => randomBytes(3).toString("hex");

/** A cluster to work on: its API and, where the driver offers it, node access. */
export interface Target {
  api: ClusterWriter;
  nodes?: NodeAccess;
  /** helm aimed at the same cluster, for setup steps that install a chart. */
  helm?: Helm;
  context: string;
  /** What the cluster can do, when detected: tasks that need more are refused by start and skipped by grade. */
  capabilities?: Capabilities;
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

/**
 * Sets the task up as a new attempt: a task with drawn variables gets the instance of
 * `seed` (a new random one when not given), recorded on its namespace for check and reset.
 */
export async function start(loaded: LoadedTask, target: Target, seed = newSeed()): Promise<Vars> {
  const cannot = skipReason(loaded.task.requires, target.capabilities);
  if (cannot) {
    throw new ClusterError(
      `task ${loaded.task.id} cannot run on context "${target.context}": ${cannot}`,
      target.context,
      "`kubedrill doctor` shows what this cluster offers; `kubedrill list` shows the tasks it can run",
    );
  }
  const { task } = loaded;
  const vars = await resolveVars(task, target.api, target.nodes, process.env, { seed });
  const previous = instanceOf(vars) ? await resolveVars(task, target.api, target.nodes) : undefined;
  // A fresh attempt: answer files from an earlier one must not pass checks on their own.
  // Emptied first, so that setup can give the learner files there (copyToAnswers).
  if (vars.answers) {
    await rm(vars.answers, { recursive: true, force: true });
    await mkdir(vars.answers, { recursive: true });
  }
  await startTask(loaded, {
    cluster: target.api,
    nodes: target.nodes,
    helm: target.helm,
    vars,
    previous,
  });
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
  const settled = await Promise.allSettled(
    tasks.map((loaded) =>
      gradeTask(loaded, {
        cluster: target.api,
        nodes: target.nodes,
        onWait,
        capabilities: target.capabilities,
      }),
    ),
  );
  return gradeReport(resultsOrCauses(settled), { passMark, context: target.context, startedAt });
}

/** Every task graded, or every reason some could not be, one line per cause (a bug still stops at once). */
function resultsOrCauses<T>(settled: PromiseSettledResult<T>[]): T[] {
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  const bug = errors.find((e) => !(e instanceof KubedrillError));
  if (bug) throw bug;
  if (errors.length > 0) throw oneLinePerCause(errors as KubedrillError[]);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** The reference solution with {{vars}} filled, ready for a shell. */
export async function solutionScript(loaded: LoadedTask, target: Target): Promise<string> {
  return fill(loaded.task.solution, await resolveVars(loaded.task, target.api, target.nodes));
}
