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
