import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, normalize, relative } from "node:path";
import { UsageError } from "../../errors.js";
import type { NodeAccess, NodeExecOptions, NodeName } from "../../model/node-access.js";
import { localPaths } from "../local/components.js";
import { refuseProtectedRemoval, resolveInside } from "../node-paths.js";

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

  /** Each folder is a node; the one kubeadm gave admin.conf is the control plane (its manifests may be broken or gone). */
  async listNodes(): Promise<NodeName[]> {
    const entries = await readdir(this.nodesDir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => ({
        name: e.name,
        controlPlane: existsSync(join(this.nodesDir, e.name, "etc/kubernetes/admin.conf")),
      }));
  }

  async read(node: string, path: string) {
    const file = await this.contained(node, path);
    return existsSync(file) ? readFile(file, "utf8") : undefined;
  }

  async readBytes(node: string, path: string) {
    const file = await this.contained(node, path);
    return existsSync(file) ? readFile(file) : undefined;
  }

  async list(node: string, path: string) {
    const folder = await this.contained(node, path);
    return existsSync(folder) ? (await readdir(folder)).sort() : undefined;
  }

  async modifiedAt(node: string, path: string) {
    const file = await this.contained(node, path);
    return existsSync(file) ? (await stat(file)).mtime : undefined;
  }

  /**
   * The simulated systemctl keeps a unit's state in /var/lib/kubedrill/services/<unit>.active,
   * written at each start, stop and restart: active since the file's modification time. A
   * missing file is a unit active since the node booted, a time this folder does not keep.
   */
  async serviceActiveSince(node: string, unit: string) {
    const file = await this.contained(node, `/var/lib/kubedrill/services/${unit}.active`);
    if (!existsSync(file)) return undefined;
    if ((await readFile(file, "utf8")).trim() !== "active") return undefined;
    return (await stat(file)).mtime;
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
