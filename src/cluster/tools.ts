import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { ClusterError } from "../errors.js";
import type { ToolResult } from "../model/node-access.js";

/** The programs kubedrill runs besides itself; each is looked up on PATH. */
export type Tool = "docker" | "kind" | "minikube" | "kubectl" | "helm";

/** Where to get each tool, for the message when it is missing. */
export const installHints: Record<Tool, string> = {
  docker: "install Docker: https://docs.docker.com/engine/install/ (or Docker Desktop)",
  kind: "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  minikube: "install minikube: https://minikube.sigs.k8s.io/docs/start/",
  kubectl: "install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl",
  helm: "install Helm 3: https://helm.sh/docs/intro/install/",
};

/** Where a tool is on PATH (the first executable of that name), without running it; undefined when it is not. */
export function findOnPath(tool: Tool, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, tool);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here: the next folder
    }
  }
  return undefined;
}

export type { ToolResult };

export interface RunOptions {
  /** Sent on stdin; without it stdin is closed, so a tool never waits for input. */
  input?: string;
  /** Also show the tool's own output on stderr as it runs (long commands such as kind create). */
  showOutput?: boolean;
  timeoutMs?: number;
  /** Give the tool this terminal (a learner's command on a node): nothing is captured. */
  inherit?: boolean;
}

export class ToolMissingError extends ClusterError {
  constructor(readonly tool: Tool) {
    super(`${tool} is not installed (no "${tool}" on PATH)`, undefined, installHints[tool]);
  }
}

/** Runs a tool and returns what it said, whatever its exit code; a tool not on PATH is a ToolMissingError. */
export async function runTool(tool: Tool, args: string[], options: RunOptions = {}): Promise<ToolResult> {
  const shown = options.showOutput ? process.stderr : undefined;
  // Loaded on first use: grading on the local cluster runs no tool, and execa is a tenth of a cold start.
  const { execa } = await import("execa");
  if (options.inherit) {
    const result = await execa(tool, args, { reject: false, stdio: "inherit", timeout: options.timeoutMs });
    if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError(tool);
    return { exitCode: result.exitCode ?? 1, stdout: "", stderr: "" };
  }
  const result = await execa(tool, args, {
    reject: false,
    // File contents read through a tool must keep their last newline.
    stripFinalNewline: false,
    timeout: options.timeoutMs,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    stdout: shown ? ["pipe", shown] : "pipe",
    stderr: shown ? ["pipe", shown] : "pipe",
  });
  if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError(tool);
  if (result.timedOut) {
    throw new ClusterError(`${tool} ${args.join(" ")} gave no answer within ${options.timeoutMs}ms`);
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The last non-empty line a tool printed on stderr (or stdout): usually its error message. */
export function lastMessage(result: ToolResult): string {
  const text = result.stderr.trim() || result.stdout.trim();
  return text.split("\n").at(-1)?.trim() ?? "";
}

/** Runs a tool that must succeed; a failure becomes a ClusterError quoting the tool. */
export async function mustRun(
  tool: Tool,
  args: string[],
  options: RunOptions & { hint?: string; context?: string } = {},
): Promise<ToolResult> {
  const result = await runTool(tool, args, options);
  if (result.exitCode !== 0) {
    throw new ClusterError(
      `\`${tool} ${args.join(" ")}\` failed (exit ${result.exitCode}): ${lastMessage(result) || "no message"}`,
      options.context,
      options.hint,
    );
  }
  return result;
}
