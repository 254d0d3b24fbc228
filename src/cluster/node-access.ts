import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize, relative } from "node:path";
import { ClusterError, UsageError } from "../errors.js";
import { minikubeContext } from "./drivers/driver.js";
import { localPaths } from "./local/components.js";
import { localContext, locateLocal } from "./local/locate.js";
import { KindNodeAccess } from "./node-access-kind.js";
import { MinikubeNodeAccess } from "./node-access-minikube.js";
import { refuseProtectedRemoval, resolveInside } from "./node-paths.js";
import type { ToolResult } from "./tools.js";

/** Files on a cluster node, whatever the driver: a folder, a container, a VM. */
export interface NodeAccess {
  readonly driver: string;
  read(node: string, path: string): Promise<string | undefined>;
  write(node: string, path: string, content: string): Promise<void>;
  remove(node: string, path: string): Promise<void>;
  copyTo(localFile: string, node: string, path: string): Promise<void>;
  copyFrom(node: string, path: string, localFile: string): Promise<void>;
  /**
   * Runs argv on the node as root, as `docker exec` does on kind; never throws for a
   * non-zero exit. With inherit the command gets this terminal and nothing is captured.
   */
  exec(node: string, argv: string[], options?: NodeExecOptions): Promise<ToolResult>;
  /** The command a learner runs for a shell on the node. */
  shell(node: string): Promise<{ command: string; args: string[]; cwd?: string }>;
}

export interface NodeExecOptions {
  inherit?: boolean;
}

/** The local cluster's nodes are folders: /etc/x on node n is <state>/nodes/n/etc/x. */
export class LocalNodeAccess implements NodeAccess {
  readonly driver = "local";

  constructor(private readonly nodesDir = localPaths().nodes) {}

  hostPath(node: string, path: string): string {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node)) throw new UsageError(`"${node}" is not a node name`);
    const root = join(this.nodesDir, node);
    if (!existsSync(root)) {
      throw new UsageError(
        `no node "${node}" in the local cluster`,
        "list the nodes with: kubectl get nodes",
      );
    }
    if (!path.startsWith("/"))
      throw new UsageError(`node path "${path}" must be absolute, e.g. /etc/kubernetes/manifests`);
    // normalize() folds any ../ so the result cannot leave the node's root.
    return join(root, normalize(path));
  }

  /** The host path with symlinks resolved; refuses one that leads outside the node's folder. */
  private contained(node: string, path: string, keepLast = false): Promise<string> {
    const file = this.hostPath(node, path);
    return resolveInside(join(this.nodesDir, node), file, `${node}:${path}`, keepLast);
  }

  async read(node: string, path: string) {
    const file = await this.contained(node, path);
    return existsSync(file) ? readFile(file, "utf8") : undefined;
  }

  async write(node: string, path: string, content: string) {
    const file = await this.contained(node, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  async remove(node: string, path: string) {
    refuseProtectedRemoval(node, path);
    const root = await realpath(join(this.nodesDir, node));
    // A symlink may lead to a protected folder under another name.
    refuseProtectedRemoval(node, `/${relative(root, await this.contained(node, path))}`);
    await rm(await this.contained(node, path, true), { force: true, recursive: true });
  }

  async copyTo(localFile: string, node: string, path: string) {
    const file = await this.contained(node, path);
    await mkdir(dirname(file), { recursive: true });
    await copyFile(localFile, file).catch(explainCopy(localFile, `${node}:${path}`));
  }

  async copyFrom(node: string, path: string, localFile: string) {
    const file = await this.contained(node, path);
    await copyFile(file, localFile).catch(explainCopy(`${node}:${path}`, localFile));
  }

  async exec(node: string, argv: string[], options: NodeExecOptions = {}) {
    const { command, args } = await this.shell(node);
    const { runNodeShell } = await import("./node-shell-local.js");
    return runNodeShell(command, [...args, "--", ...argv], options);
  }

  // The node shell (and execa, and the Go build's hashing) load only when a shell is asked for.
  async shell(node: string) {
    const { localNodeShell } = await import("./node-shell-local.js");
    return localNodeShell(this.hostPath(node, "/"), node, join(this.nodesDir, "..", "admin.kubeconfig"));
  }
}

/** A failed copy names both sides as the user wrote them, not the node's folder on this host. */
function explainCopy(source: string, destination: string) {
  return (err: NodeJS.ErrnoException): never => {
    const why: Record<string, string> = {
      ENOENT: "no such file or folder",
      EISDIR: "a folder, not a file",
      ENOTDIR: "a parent is not a folder",
      EACCES: "permission denied",
    };
    if (!err.code || !(err.code in why)) throw err;
    throw new UsageError(
      `cannot copy ${source} to ${destination}: ${why[err.code]} (${err.code})`,
      "check both paths; node paths look like NODE:/absolute/path",
    );
  };
}

/**
 * Picks the node-access driver from the kubeconfig context's name: kind names its
 * contexts kind-<cluster>, minikube after the profile (minikube, or kubedrill as
 * `kubedrill cluster up --driver minikube` creates it).
 */
export function nodeAccessFor(context: string): NodeAccess {
  // The context's kubeconfig entry says where `cluster up` put the nodes' folders.
  if (context === localContext) return new LocalNodeAccess(locateLocal({ context, mustExist: true }).nodes);
  if (context.startsWith("kind-")) return new KindNodeAccess();
  if (context === "minikube" || context === minikubeContext) return new MinikubeNodeAccess(context);
  throw new ClusterError(
    `no node access for context "${context}": kubedrill reaches the nodes of kind (kind-*), minikube (minikube, ${minikubeContext}) and local (${localContext}) clusters`,
    context,
    "practise node-level tasks on one of those: kubedrill cluster up",
  );
}
