/** What a command run on a node (or by a tool) gave back. */
export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface NodeExecOptions {
  inherit?: boolean;
}

/** A node as node access sees it. */
export interface NodeName {
  name: string;
  controlPlane: boolean;
}

/** Files on a cluster node, whatever the driver: a folder, a container, a VM. */
export interface NodeAccess {
  readonly driver: string;
  read(node: string, path: string): Promise<string | undefined>;
  /** The file's bytes, for what is not text (an etcd snapshot); undefined when it does not exist. */
  readBytes(node: string, path: string): Promise<Uint8Array | undefined>;
  /** The names in a folder (not their paths), sorted; undefined when the folder does not exist. */
  list(node: string, path: string): Promise<string[] | undefined>;
  /** When the file was last modified; undefined when it does not exist. */
  modifiedAt(node: string, path: string): Promise<Date | undefined>;
  /**
   * When a node service (kubelet, containerd) last became active, as systemd's
   * ActiveEnterTimestamp; undefined while it is inactive, or when it has not been started
   * since the node booted and the driver cannot tell when that was.
   */
  serviceActiveSince(node: string, unit: string): Promise<Date | undefined>;
  write(node: string, path: string, content: string): Promise<void>;
  remove(node: string, path: string): Promise<void>;
  copyTo(localFile: string, node: string, path: string): Promise<void>;
  copyFrom(node: string, path: string, localFile: string): Promise<void>;
  /**
   * Runs argv on the node as root, as `docker exec` does on kind; never throws for a
   * non-zero exit. With inherit the command gets this terminal and nothing is captured.
   */
  exec(node: string, argv: string[], options?: NodeExecOptions): Promise<ToolResult>;
  /**
   * The cluster's nodes as the driver knows them, without the API server: what names
   * {{controlPlane}} and {{worker}} while the API is down. Optional: not every driver can tell.
   */
  listNodes?(): Promise<NodeName[]>;
  /** The command a learner runs for a shell on the node. */
  shell(node: string): Promise<{ command: string; args: string[]; cwd?: string }>;
}
