import type { LoadedTask } from "../catalog/load.js";
import type { TaskResult } from "../model/results.js";
import { gradeTask } from "./grade.js";
import { formatMismatch } from "./match.js";
import type { KubeObject } from "./ports.js";
import { skipReason } from "./requires.js";
import { reset, solutionScript, start, type Target } from "./run.js";
import { fill, resolveVars } from "./vars.js";

export type ScriptRunner = (script: string) => Promise<{ ok: boolean; output: string }>;

export interface Verification {
  id: string;
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
 * Proves a task: after start every check fails (except those marked
 * passesUnsolved), the reference solution makes every check pass, and reset
 * leaves nothing behind.
 */
export async function verifyTask(
  loaded: LoadedTask,
  target: Target,
  runScript: ScriptRunner,
): Promise<Verification> {
  const started = Date.now();
  const problems: string[] = [];
  const { task } = loaded;
  const skipped = skipReason(task.requires, target.capabilities);
  if (skipped) return { id: task.id, passed: true, problems: [], skipped, durationMs: 0 };
  const grade = () => gradeTask(unsolvedFast(loaded), { cluster: target.api, nodes: target.nodes });
  await start(loaded, target);
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
  await reset(loaded, target);
  problems.push(...(await leftovers(loaded, target, vars)));
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

/** What reset should have removed: the namespace, node labels and node files. */
export async function leftovers(
  loaded: LoadedTask,
  target: Target,
  vars: Record<string, string>,
): Promise<string[]> {
  const { task } = loaded;
  const found: string[] = [];
  if (await target.api.get("v1", "Namespace", task.namespace))
    found.push(`namespace ${task.namespace} is left`);
  const cleanup = fill(task.cleanup ?? {}, vars);
  const nodes: KubeObject[] = await target.api.list("v1", "Node");
  for (const { node, key } of cleanup.nodeLabels ?? []) {
    for (const n of nodes.filter((n) => node === undefined || n.metadata?.name === node)) {
      if (n.metadata?.labels && key in n.metadata.labels)
        found.push(`node ${n.metadata?.name} keeps label ${key}`);
    }
  }
  for (const { node, path } of cleanup.nodeFiles ?? []) {
    if ((await target.nodes?.read(node, path)) !== undefined) found.push(`${node}:${path} is left`);
  }
  return found;
}
