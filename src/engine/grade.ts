import type { LoadedTask } from "../catalog/load.js";
import type { Check } from "../catalog/schema.js";
import { apiDown } from "../errors.js";
import type { GradeReport, TaskResult } from "../model/results.js";
import { runChecks } from "./checks.js";
import type { ClusterReader, NodeAccess } from "./ports.js";
import { type Capabilities, skipReason } from "./requires.js";
import { uidsAnnotation } from "./setup.js";
import { fill, instanceOf, resolveVars } from "./vars.js";

export interface GradeEnv {
  cluster: ClusterReader;
  nodes?: NodeAccess;
  onWait?: (task: string, titles: string[], seconds: number) => void;
  /** What the cluster can do; a task that needs more is skipped. Unknown: every task runs. */
  capabilities?: Capabilities;
}

/** Reads what start recorded on the task's namespace (absent when the task was never started). */
async function setupUids(cluster: ClusterReader, namespace: string): Promise<Record<string, string>> {
  const ns = await cluster.get("v1", "Namespace", namespace).catch((err: unknown) => {
    // No answer from the API server: checks of uids fail as if none were recorded, the others say why.
    if (apiDown(err)) return undefined;
    throw err;
  });
  const recorded = ns?.metadata?.annotations?.[uidsAnnotation];
  return recorded ? (JSON.parse(recorded) as Record<string, string>) : {};
}

export async function gradeTask(loaded: LoadedTask, env: GradeEnv): Promise<TaskResult> {
  const { task } = loaded;
  const started = Date.now();
  const vars = await resolveVars(task, env.cluster, env.nodes);
  const skipped = skipReason(task.requires, env.capabilities);
  if (skipped) return skippedTask(loaded, fill(task.checks, vars), skipped);
  const uids = await setupUids(env.cluster, task.namespace);
  const onWait =
    env.onWait && ((titles: string[], seconds: number) => env.onWait?.(task.id, titles, seconds));
  const checks = await runChecks(task, { cluster: env.cluster, nodes: env.nodes, vars, uids, onWait });
  const earned = checks.reduce((sum, c) => sum + c.earned, 0);
  const total = checks.reduce((sum, c) => sum + c.points, 0);
  return {
    id: task.id,
    title: task.title,
    domain: task.domain,
    seed: instanceOf(vars)?.seed,
    checks,
    earned,
    total,
    passed: checks.every((c) => c.passed || c.skipped !== undefined),
    durationMs: Date.now() - started,
  };
}

/** A task the cluster cannot run: every check skipped with the reason, no points either way. */
function skippedTask(loaded: LoadedTask, checks: Check[], reason: string): TaskResult {
  const { task } = loaded;
  return {
    id: task.id,
    title: task.title,
    domain: task.domain,
    checks: checks.map((check) => ({
      title: check.title,
      points: check.points,
      earned: 0,
      passed: false,
      skipped: reason,
      mismatches: [],
      durationMs: 0,
    })),
    earned: 0,
    total: 0,
    passed: true,
    skipped: reason,
    durationMs: 0,
  };
}

/** Totals over tasks; the percentage is of points, as the CKA weights its tasks. */
export function gradeReport(
  tasks: TaskResult[],
  options: { passMark: number; context?: string; startedAt: Date },
): GradeReport {
  const earned = tasks.reduce((sum, t) => sum + t.earned, 0);
  const total = tasks.reduce((sum, t) => sum + t.total, 0);
  const percent = total === 0 ? 0 : Math.round((earned / total) * 1000) / 10;
  return {
    tasks,
    earned,
    total,
    percent,
    passMark: options.passMark,
    passed: percent >= options.passMark,
    context: options.context,
    startedAt: options.startedAt.toISOString(),
    durationMs: Date.now() - options.startedAt.getTime(),
  };
}
