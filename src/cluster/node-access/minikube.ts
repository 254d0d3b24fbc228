import { resolve } from "node:path";
import type { NodeExecOptions } from "../../model/node-access.js";
import { runTool } from "../tools.js";
import { ExecNodeAccess } from "./exec.js";

/** One word for the remote shell: `minikube ssh` joins its arguments into one command line. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * minikube nodes are machines of one profile: commands go through `minikube ssh -n NODE`
 * (as the user docker, hence sudo) and files through `minikube cp`, which creates folders.
 */
export class MinikubeNodeAccess extends ExecNodeAccess {
  readonly driver = "minikube";
  protected readonly fixHint: string;

  constructor(readonly profile: string) {
    super();
    this.fixHint = `is the minikube profile running? try: minikube -p ${profile} status`;
  }

  exec(node: string, argv: string[], options: NodeExecOptions = {}) {
    return runTool(
      "minikube",
      ["-p", this.profile, "ssh", "-n", this.checkNode(node), "--", "sudo", ...argv.map(shellQuote)],
      options,
    );
  }

  protected copyIn(localFile: string, node: string, path: string) {
    return runTool("minikube", ["-p", this.profile, "cp", resolve(localFile), `${node}:${path}`]);
  }

  protected copyOut(node: string, path: string, localFile: string) {
    // minikube cp wants an absolute local path.
    return runTool("minikube", ["-p", this.profile, "cp", `${node}:${path}`, resolve(localFile)]);
  }

  async shell(node: string) {
    return { command: "minikube", args: ["-p", this.profile, "ssh", "-n", this.checkNode(node)] };
  }

  protected isUnknownNode(message: string): boolean {
    return /could not find node|node \S+ does not exist/i.test(message);
  }
}
