import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import { ClusterError, UsageError } from "../../errors.js";
import type { NodeAccess, NodeExecOptions } from "../../model/node-access.js";
import { refuseProtectedRemoval } from "../node-paths.js";
import { lastMessage, type ToolResult } from "../tools.js";

/**
 * Node access through commands run on the node itself (kind: `docker exec` into the
 * node container; minikube: `minikube ssh`). A subclass says how to run a command
 * and how to copy a file each way; reading, writing and removing are built on those.
 */
export abstract class ExecNodeAccess implements NodeAccess {
  abstract readonly driver: string;

  abstract exec(node: string, argv: string[], options?: NodeExecOptions): Promise<ToolResult>;
  protected abstract copyIn(localFile: string, node: string, path: string): Promise<ToolResult>;
  protected abstract copyOut(node: string, path: string, localFile: string): Promise<ToolResult>;
  abstract shell(node: string): Promise<{ command: string; args: string[]; cwd?: string }>;

  protected checkNode(node: string): string {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(node)) throw new UsageError(`"${node}" is not a node name`);
    return node;
  }

  /** The node path, checked and normalized; refuses what could not be meant. */
  protected target(node: string, path: string): string {
    this.checkNode(node);
    if (!path.startsWith("/"))
      throw new UsageError(`node path "${path}" must be absolute, e.g. /etc/kubernetes/manifests`);
    return posix.normalize(path);
  }

  async read(node: string, path: string): Promise<string | undefined> {
    const file = this.target(node, path);
    const result = await this.exec(node, ["cat", file]);
    if (result.exitCode === 0) return result.stdout;
    if (/No such file or directory/i.test(result.stderr)) return undefined;
    throw this.failure(node, `read ${node}:${file}`, result);
  }

  async readBytes(node: string, path: string): Promise<Uint8Array | undefined> {
    const file = this.target(node, path);
    // Copied out whole: `cat` through a tool's stdout would decode the bytes as text.
    const dir = await mkdtemp(join(tmpdir(), "kubedrill-node-"));
    try {
      const local = join(dir, "file");
      const result = await this.copyOut(node, file, local);
      if (result.exitCode === 0) return await readFile(local);
      if (/no such file|could not find the file/i.test(lastMessage(result))) return undefined;
      throw this.failure(node, `read ${node}:${file}`, result);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async list(node: string, path: string): Promise<string[] | undefined> {
    const folder = this.target(node, path);
    const result = await this.exec(node, ["ls", "-1A", folder]);
    if (result.exitCode === 0) return result.stdout.split("\n").filter(Boolean).sort();
    if (/No such file or directory/i.test(result.stderr)) return undefined;
    throw this.failure(node, `list ${node}:${folder}`, result);
  }

  async modifiedAt(node: string, path: string): Promise<Date | undefined> {
    const file = this.target(node, path);
    const result = await this.exec(node, ["stat", "-c", "%Y", file]);
    if (result.exitCode === 0) return new Date(Number(result.stdout.trim()) * 1000);
    if (/No such file or directory/i.test(result.stderr)) return undefined;
    throw this.failure(node, `read ${node}:${file}`, result);
  }

  async serviceActiveSince(node: string, unit: string): Promise<Date | undefined> {
    const result = await this.exec(node, [
      "systemctl",
      "show",
      unit,
      "--property=ActiveState,ActiveEnterTimestamp",
    ]);
    if (result.exitCode !== 0) throw this.failure(node, `ask systemd about ${unit} on ${node}`, result);
    return activeSince(result.stdout);
  }

  async write(node: string, path: string, content: string): Promise<void> {
    const file = this.target(node, path);
    // Through a file and a copy: `minikube ssh` does not pass stdin on reliably.
    const dir = await mkdtemp(join(tmpdir(), "kubedrill-node-"));
    try {
      const local = join(dir, basename(file));
      await writeFile(local, content, { mode: 0o644 });
      await this.copyTo(local, node, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async remove(node: string, path: string): Promise<void> {
    const file = this.target(node, path);
    refuseProtectedRemoval(node, file);
    const result = await this.exec(node, ["rm", "-rf", file]);
    if (result.exitCode !== 0) throw this.failure(node, `remove ${node}:${file}`, result);
  }

  async copyTo(localFile: string, node: string, path: string): Promise<void> {
    const file = this.target(node, path);
    if (!existsSync(localFile)) {
      throw new UsageError(`cannot copy ${localFile} to ${node}:${file}: no such file or folder`);
    }
    const result = await this.copyIn(localFile, node, file);
    if (result.exitCode !== 0) throw this.failure(node, `copy ${localFile} to ${node}:${file}`, result);
  }

  async copyFrom(node: string, path: string, localFile: string): Promise<void> {
    const file = this.target(node, path);
    const result = await this.copyOut(node, file, localFile);
    if (result.exitCode === 0) return;
    if (/no such file|could not find the file/i.test(lastMessage(result))) {
      throw new UsageError(`cannot copy ${node}:${file} to ${localFile}: no such file on node ${node}`);
    }
    throw this.failure(node, `copy ${node}:${file} to ${localFile}`, result);
  }

  /** A failed node command, said in the learner's terms: which node, what it tried, what the tool said. */
  protected failure(node: string, what: string, result: ToolResult): Error {
    const message = lastMessage(result) || `exit ${result.exitCode}`;
    if (this.isUnknownNode(message)) {
      return new UsageError(
        `no node "${node}" in this ${this.driver} cluster (${message})`,
        "list the nodes with: kubectl get nodes",
      );
    }
    return new ClusterError(`cannot ${what} through ${this.driver}: ${message}`, undefined, this.fixHint);
  }

  protected abstract isUnknownNode(message: string): boolean;
  protected abstract readonly fixHint: string;
}

/**
 * When `systemctl show UNIT --property=ActiveState,ActiveEnterTimestamp` says the unit
 * became active (`ActiveEnterTimestamp=Sun 2026-12-06 00:20:01 UTC`); undefined while it is not.
 */
export function activeSince(show: string): Date | undefined {
  const props = new Map(
    show
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
  );
  const since = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/.exec(props.get("ActiveEnterTimestamp") ?? "");
  if (props.get("ActiveState") !== "active" || !since) return undefined;
  return new Date(`${since[1]}T${since[2]}Z`);
}
