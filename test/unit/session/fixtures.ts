import type { LoadedTask } from "../../../src/catalog/load.js";
import { taskSchema } from "../../../src/catalog/schema.js";
import type { TaskRecord } from "../../../src/session/history.js";

/** A task as the loader would return it, validated by the real schema. */
export function fakeTask(
  id: string,
  domain: string,
  extra: { difficulty?: string; hints?: string[]; minutes?: number; competency?: string } = {},
): LoadedTask {
  const task = taskSchema.parse({
    id,
    title: `Title of ${id}`,
    domain,
    competency: extra.competency,
    difficulty: extra.difficulty ?? "easy",
    minutes: extra.minutes ?? 5,
    namespace: `ns-${id}`,
    description: `Do ${id}.`,
    checks: [
      { title: `Pod ${id} exists`, points: 2, resource: { kind: "Pod", name: id } },
      { title: `Pod ${id} is Running`, points: 1, resource: { kind: "Pod", name: id }, expect: "true" },
    ],
    hints: extra.hints ?? ["first hint", "second hint"],
    solution: `kubectl run ${id} --image=nginx`,
  });
  return { task, dir: `/catalog/${id}`, file: `/catalog/${id}/task.yaml` };
}

/** The seed catalog's shape: 2 troubleshooting, 2 architecture, 5 workloads tasks. */
export const seedShaped = [
  fakeTask("pod-fix-redis-image", "troubleshooting"),
  fakeTask("pod-pending-scheduler", "troubleshooting", { difficulty: "medium" }),
  fakeTask("pod-infra-container", "architecture", { difficulty: "medium" }),
  fakeTask("static-pod", "architecture", { difficulty: "medium" }),
  fakeTask("pod-run-nginx", "workloads"),
  fakeTask("pod-from-yaml", "workloads"),
  fakeTask("pod-multi-container", "workloads", { difficulty: "medium" }),
  fakeTask("pod-liveness-probe", "workloads", { difficulty: "medium" }),
  fakeTask("pod-init-container", "workloads", { difficulty: "hard" }),
];

let clock = Date.parse("2026-01-05T10:00:00Z");

/** A practice grade record; each call is a minute after the previous one. */
export function graded(task: LoadedTask, fields: Partial<TaskRecord> = {}): TaskRecord {
  clock += 60_000;
  return {
    type: "task",
    at: new Date(clock).toISOString(),
    source: "practice",
    task: task.task.id,
    domain: task.task.domain,
    earned: fields.passed ? 3 : 0,
    total: 3,
    passed: false,
    durationMs: 120_000,
    assisted: false,
    ...fields,
  };
}
