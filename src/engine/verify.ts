import { drawnVariables } from "../catalog/instance.js";
import type { LoadedTask } from "../catalog/load.js";
import type { Task } from "../catalog/schema.js";
import type { TaskResult } from "../model/results.js";
import { type CleanupEnv, observe, readRecord } from "./cleanup-apply.js";
import { type BeforeStart, type CleanupPlan, describeAction, resetActions } from "./cleanup-plan.js";
import { clusterScopedObjects, isGoing, leftBehind, leftoverProblem, othersObjects } from "./cleanup-scan.js";
import { gradeTask } from "./grade.js";
import { formatMismatch } from "./match.js";
import type { KubeObject } from "./ports.js";
import { skipReason } from "./requires.js";
import { newSeed, reset, solutionScript, start, type Target } from "./run.js";
import { planTask } from "./setup.js";
import { resolveVars } from "./vars.js";

export type ScriptRunner = (script: string) => Promise<{ ok: boolean; output: string }>;

export interface Verification {
  id: string;
  /** The instances proved, for a task with drawn variables. */
  seeds?: string[];
  passed: boolean;
  /** What went wrong, one line per problem. */
  problems: string[];
  unsolved?: TaskResult;
  solved?: TaskResult;
  /** Why the task was not verified: the cluster lacks something it requires. */
  skipped?: string;
  durationMs: number;
}

/**
 * The instances verify proves a task on: both extremes (every variable at its first
 * and at its last choice or number) and one drawn at random; a task without drawn
 * variables has one instance.
 */
export function proofSeeds(task: Task, random = newSeed()): string[] {
  return drawnVariables(task).length === 0 ? ["min"] : ["min", "max", random];
}

/** Proves each instance in turn (they share the task's namespace); a problem names its seed. */
export async function verifyInstances(
  loaded: LoadedTask,
  target: Target,
  runScript: ScriptRunner,
  seeds: string[],
  alongside: LoadedTask[] = [],
): Promise<Verification> {
  const started = Date.now();
  const each: Verification[] = [];
  for (const seed of seeds) each.push(await verifyTask(loaded, target, runScript, { seed, alongside }));
  const first = each[0] as Verification;
  if (first.skipped || drawnVariables(loaded.task).length === 0) return first;
  const problems = each.flatMap((v, i) => v.problems.map((p) => `seed ${seeds[i]}: ${p}`));
  return { ...first, seeds, passed: problems.length === 0, problems, durationMs: Date.now() - started };
}

/**
 * Proves one instance of a task: after start every check fails (except those marked
 * passesUnsolved), the reference solution makes every check pass, and reset
 * leaves nothing behind. `alongside` are the tasks whose proofs may run at the same
 * time on this cluster: the cluster-scoped objects they name are not this task's.
 */
export async function verifyTask(
  loaded: LoadedTask,
  target: Target,
  runScript: ScriptRunner,
  { seed = "min", alongside = [] }: { seed?: string; alongside?: LoadedTask[] } = {},
): Promise<Verification> {
  const started = Date.now();
  const problems: string[] = [];
  const { task } = loaded;
  const skipped = skipReason(task.requires, target.capabilities);
  if (skipped) return { id: task.id, passed: true, problems: [], skipped, durationMs: 0 };
  const grade = () => gradeTask(unsolvedFast(loaded), { cluster: target.api, nodes: target.nodes });
  const env: CleanupEnv = { cluster: target.api, nodes: target.nodes };
  const clusterBefore = await clusterScopedObjects(target.api, await target.api.servedKinds());
  await start(loaded, target, seed);
  const unsolved = await grade();
  unsolved.checks.forEach((check, i) => {
    if (check.passed && !task.checks[i]?.passesUnsolved)
      problems.push(`unsolved, "${check.title}" passes already`);
  });
  const solution = await runScript(await solutionScript(loaded, target));
  if (!solution.ok) problems.push(`the reference solution failed:\n${solution.output}`);
  const solved = await gradeTask(loaded, { cluster: target.api, nodes: target.nodes });
  for (const check of solved.checks.filter((c) => !c.passed)) {
    problems.push(
      `solved, "${check.title}" fails: ${[...check.mismatches.map(formatMismatch), ...(check.error ? [check.error] : [])].join("; ")}`,
    );
  }
  const vars = await resolveVars(task, target.api, target.nodes);
  // The plan and the record as reset will see them; verify then asks the plan what is left to do.
  const { plan } = await planTask(loaded, { ...env, vars });
  const record = readRecord(plan, await target.api.get("v1", "Namespace", task.namespace));
  await reset(loaded, target);
  problems.push(...(await leftovers(plan, record, env)));
  problems.push(
    ...(await clusterLeftovers(plan, clusterBefore, target.api, othersObjects(loaded, alongside))),
  );
  return {
    id: task.id,
    passed: problems.length === 0,
    problems,
    unsolved,
    solved,
    durationMs: Date.now() - started,
  };
}

/** Unsolved, nothing should pass at all: waiting out `within` would only slow verification down. */
function unsolvedFast(loaded: LoadedTask): LoadedTask {
  const checks = loaded.task.checks.map(({ within: _, ...check }) => check);
  return { ...loaded, task: { ...loaded.task, checks } };
}

/** What reset should have done and did not: one line per action the plan still asks for. */
export async function leftovers(
  plan: CleanupPlan,
  record: BeforeStart | undefined,
  env: CleanupEnv,
): Promise<string[]> {
  const reachable = env.nodes ? plan : { ...plan, nodeFiles: [], services: [] };
  const now = await observe(reachable, env, await env.cluster.servedKinds());
  return resetActions(reachable, record, now).map((action) => `after reset, ${describeAction(action)}`);
}

/** Cluster-scoped objects that came with the attempt and stayed; objects still going away get a few seconds. */
async function clusterLeftovers(
  plan: CleanupPlan,
  before: KubeObject[],
  cluster: CleanupEnv["cluster"],
  theirs: Set<string>,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const after = await clusterScopedObjects(cluster, await cluster.servedKinds());
    const left = leftBehind(plan, before, after, theirs);
    if (!left.some(isGoing) || Date.now() > deadline) return left.map(leftoverProblem);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
