/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  belowMark: 1,
  usage: 2,
  cluster: 3,
} as const;

/** An error the user can act on: one message, the next step, an exit code. */
export class KubedrillError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage: unknown task, conflicting options. */
export class UsageError extends KubedrillError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

export interface TaskProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** A task file that does not load or validate; carries every problem found. */
export class TaskError extends KubedrillError {
  constructor(readonly problems: TaskProblem[]) {
    super(problems.map(formatProblem).join("\n"), ExitCode.usage);
  }
}

export function formatProblem(p: TaskProblem): string {
  const at = p.path ? `${p.path}: ` : "";
  return `${p.file}:${p.line}:${p.column}: ${at}${p.message}`;
}

/** The cluster cannot be reached, refuses us, or is not one we may write to. */
export class ClusterError extends KubedrillError {
  constructor(
    message: string,
    readonly context?: string,
    hint?: string,
  ) {
    super(message, ExitCode.cluster, hint);
  }
}

/** An API answer other than 2xx that a caller may expect (404, 409, 422), with the Status message. */
export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why the cluster gave no usable answer to a request. */
export type ClusterFault = "unreachable" | "closed" | "refused" | "timeout" | "garbage" | "server";

/**
 * A request the cluster refused (401/403), did not answer in time, dropped, or answered with
 * something that is not the JSON it promised. Nothing can be graded from it: exit 3, not a failed check.
 */
export class ClusterRequestError extends ClusterError {
  constructor(
    readonly fault: ClusterFault,
    message: string,
    context?: string,
    hint?: string,
  ) {
    super(message, context, hint);
  }
}

/** The API server gave no answer at all (refused, dropped or timed out): not a verdict on any request. */
export function apiDown(err: unknown): err is ClusterRequestError {
  return err instanceof ClusterRequestError && ["unreachable", "closed", "timeout"].includes(err.fault);
}

/** A task names a kind the cluster does not serve (its API group version answers 404): a task problem. */
export class KindNotServedError extends KubedrillError {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    message: string,
  ) {
    super(
      message,
      ExitCode.usage,
      "check the task's apiVersion and kind (kubectl api-resources lists what this cluster serves), or install the CRD it needs",
    );
  }
}

/** A setup step that could not be carried out: a manifest the API rejects, a wait that never came true. */
export class SetupError extends KubedrillError {}

/**
 * Several errors met while grading, one line per distinct cause (each with its next step), so that
 * `check`/`grade` say everything that kept them from grading at once. Exit 3 if any is a cluster's.
 */
export function oneLinePerCause(errors: KubedrillError[]): KubedrillError {
  const lines = [...new Set(errors.map((e) => (e.hint ? `${e.message} — next: ${e.hint}` : e.message)))];
  const exitCode = errors.some((e) => e.exitCode === ExitCode.cluster)
    ? ExitCode.cluster
    : Math.max(...errors.map((e) => e.exitCode));
  // The top-level handler prefixes the first line; the others get the same prefix here.
  return new KubedrillError(lines.join("\nkubedrill: "), exitCode);
}
