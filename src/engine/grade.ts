import type { LoadedTask } from "../catalog/load.js";
import { runChecks } from "./checks.js";
import type { ClusterReader, NodeAccess } from "./ports.js";
import { uidsAnnotation } from "./setup.js";
import type { GradeReport, TaskResult } from "./types.js";
import { resolveVars } from "./vars.js";

export interface GradeEnv {
  cluster: ClusterReader;
  nodes?: NodeAccess;
  onWait?: (task: string, titles: string[], seconds: number) => void;
}

/** Reads what start recorded on the task's namespace (absent when the task was never started). */
async function setupUids(cluster: ClusterReader, namespace: string): Promise<Record<string, string>> {
  const ns = await cluster.get("v1", "Namespace", namespace);
  const recorded = ns?.metadata?.annotations?.[uidsAnnotation];
  return recorded ? (JSON.parse(recorded) as Record<string, string>) : {};
}

export async function gradeTask(loaded: LoadedTask, env: GradeEnv): Promise<TaskResult> {
  const { task } = loaded;
  const started = Date.now();
  const vars = await resolveVars(task, env.cluster, env.nodes);
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
    checks,
    earned,
    total,
    passed: checks.every((c) => c.passed || c.skipped !== undefined),
    durationMs: Date.now() - started,
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
