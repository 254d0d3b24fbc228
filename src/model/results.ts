import type { Domain } from "./domains.js";

/** One way an actual object (or file) differs from what a check wants, at a field path. */
export interface Mismatch {
  /** Field path with list items named by their `name`, e.g. spec.containers[redis].image; "" for the whole object. */
  path: string;
  /** What was found; undefined when the field is missing. */
  found?: unknown;
  want?: unknown;
  /** Free text when found/want do not say it, e.g. "Pod redis not found" or a CEL evaluation error. */
  message?: string;
  /** The object it is about, when the check read several. */
  object?: string;
  /** An access review's answer: found and want are allowed or denied, message is the API server's reason. */
  access?: true;
}

export interface CheckResult {
  title: string;
  points: number;
  /** points when passed, else 0 */
  earned: number;
  passed: boolean;
  /** A check that could not run here (e.g. a capability the cluster lacks). */
  skipped?: string;
  /** Why it failed, as data; empty when passed. The report makes the sentences. */
  mismatches: Mismatch[];
  /** Why it could not be evaluated (the cluster refused, a file could not be read); a failed check too. */
  error?: string;
  /** This check's own time: its last read, not the whole task's wait. */
  durationMs: number;
}

export interface TaskResult {
  id: string;
  title: string;
  domain: Domain;
  /** The seed of the instance graded, for a task with drawn variables (`start --seed` repeats it). */
  seed?: string;
  checks: CheckResult[];
  earned: number;
  total: number;
  /** Every check passed (skipped checks do not fail a task). */
  passed: boolean;
  /** Why the whole task was skipped: a requirement the cluster does not meet; its checks are all skipped. */
  skipped?: string;
  durationMs: number;
}

export interface GradeReport {
  tasks: TaskResult[];
  earned: number;
  total: number;
  /** 0..100, one decimal */
  percent: number;
  passMark: number;
  passed: boolean;
  context?: string;
  startedAt: string;
  durationMs: number;
}
