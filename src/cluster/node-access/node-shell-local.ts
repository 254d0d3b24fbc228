import { existsSync } from "node:fs";
import { execa } from "execa";
import { ClusterError } from "../../errors.js";
import type { NodeExecOptions, ToolResult } from "../../model/node-access.js";
import { binaryPath } from "../local/build.js";

/**
 * A local node is entered through the cluster's own binary (`node-shell`): a user, mount
 * and UTS namespace where the node's folder is mounted at the real paths, with
 * systemctl, journalctl, crictl, etcdctl and etcdutl (docs/local-cluster.md).
 */
let binaryOnce: Promise<string> | undefined;

export async function localNodeShell(root: string, node: string, kubeconfig: string) {
  // Hashing the Go sources once per process keeps repeated node commands quick.
  binaryOnce ??= binaryPath();
  const binary = await binaryOnce;
  if (!existsSync(binary)) {
    throw new ClusterError(
      "the local cluster's binary is not built, so its nodes cannot be entered",
      "kubedrill-local",
      "start the local cluster first: kubedrill cluster up",
    );
  }
  const withKubeconfig = existsSync(kubeconfig) ? ["--kubeconfig", kubeconfig] : [];
  return { command: binary, args: ["node-shell", "--root", root, "--node", node, ...withKubeconfig] };
}

/** Runs the node shell binary; the exit code is the command's own. */
export async function runNodeShell(
  binary: string,
  args: string[],
  options: NodeExecOptions,
): Promise<ToolResult> {
  const result = await execa(binary, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.inherit ? { stdio: "inherit" as const } : { stdin: "ignore" as const }),
  });
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}
