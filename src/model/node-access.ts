/** Files on a cluster node, whatever the driver: a folder, a container, a VM. */
export interface NodeAccess {
  readonly driver: string;
  read(node: string, path: string): Promise<string | undefined>;
  write(node: string, path: string, content: string): Promise<void>;
  remove(node: string, path: string): Promise<void>;
  copyTo(localFile: string, node: string, path: string): Promise<void>;
  copyFrom(node: string, path: string, localFile: string): Promise<void>;
  /** The command a learner runs for a shell on the node. */
  shell(node: string): { command: string; args: string[]; cwd?: string };
}
