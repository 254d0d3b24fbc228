import { posix } from "node:path";
import type { NodeExecOptions } from "../../model/node-access.js";
import { runTool } from "../tools.js";
import { ExecNodeAccess } from "./exec.js";

/** kind runs every node as a Docker container named after the node: files go through `docker exec` and `docker cp`. */
export class KindNodeAccess extends ExecNodeAccess {
  readonly driver = "kind";
  protected readonly fixHint = "is the kind cluster running? try: kubedrill cluster status --driver kind";

  exec(node: string, argv: string[], options: NodeExecOptions = {}) {
    const terminal = options.inherit ? ["-i", ...(process.stdin.isTTY ? ["-t"] : [])] : [];
    return runTool("docker", ["exec", ...terminal, this.checkNode(node), ...argv], options);
  }

  protected async copyIn(localFile: string, node: string, path: string) {
    // docker cp does not create the destination's folder.
    const folder = await this.exec(node, ["mkdir", "-p", posix.dirname(path)]);
    if (folder.exitCode !== 0) return folder;
    return runTool("docker", ["cp", localFile, `${node}:${path}`]);
  }

  protected copyOut(node: string, path: string, localFile: string) {
    return runTool("docker", ["cp", `${node}:${path}`, localFile]);
  }

  async shell(node: string) {
    return { command: "docker", args: ["exec", "-it", this.checkNode(node), "bash"] };
  }

  protected isUnknownNode(message: string): boolean {
    return /No such container/i.test(message);
  }
}
