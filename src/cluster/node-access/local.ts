import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { UsageError } from "../../errors.js";
import type { NodeAccess, NodeExecOptions } from "../../model/node-access.js";
import { localPaths } from "../local/components.js";

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

  async read(node: string, path: string) {
    const file = this.hostPath(node, path);
    return existsSync(file) ? readFile(file, "utf8") : undefined;
  }

  async write(node: string, path: string, content: string) {
    const file = this.hostPath(node, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  async remove(node: string, path: string) {
    await rm(this.hostPath(node, path), { force: true, recursive: true });
  }

  async copyTo(localFile: string, node: string, path: string) {
    const file = this.hostPath(node, path);
    await mkdir(dirname(file), { recursive: true });
    await copyFile(localFile, file).catch(explainCopy(localFile, `${node}:${path}`));
  }

  async copyFrom(node: string, path: string, localFile: string) {
    await copyFile(this.hostPath(node, path), localFile).catch(explainCopy(`${node}:${path}`, localFile));
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
