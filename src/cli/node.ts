import { spawn } from "node:child_process";
import type { Command } from "commander";
import { nodeAccessFor } from "../cluster/node-access/index.js";
import { UsageError } from "../errors.js";
import { connectFor, globals } from "./common.js";
import { exitWith } from "./output.js";

/** "node:/path" → ["node", "/path"]; a plain path → undefined. */
function nodePath(arg: string): [string, string] | undefined {
  const at = arg.indexOf(":");
  if (at <= 0 || !arg.slice(at + 1).startsWith("/")) return undefined;
  return [arg.slice(0, at), arg.slice(at + 1)];
}

async function access(command: Command) {
  const target = await connectFor(globals(command));
  return nodeAccessFor(target.context);
}

export function registerNode(program: Command): void {
  const node = program.command("node").description("files and shells on the cluster's nodes");
  node
    .command("cp <source> <destination>")
    .description("copy a file to a node (node:/path) or from a node")
    .action(
      exitWith(async (source: string, destination: string, _o: unknown, command: Command) => {
        const [from, to] = [nodePath(source), nodePath(destination)];
        if (!from === !to) {
          throw new UsageError(
            "one side of node cp must be a node path (NODE:/absolute/path), the other a local file",
            "kubedrill node cp static-web.yaml kubedrill-worker:/etc/kubernetes/manifests/static-web.yaml",
          );
        }
        const nodes = await access(command);
        if (to) await nodes.copyTo(source, to[0], to[1]);
        else if (from) await nodes.copyFrom(from[0], from[1], destination);
        return 0;
      }),
    );
  node
    .command("rm <path>")
    .description("remove a file on a node (node:/path)")
    .action(
      exitWith(async (target: string, _o: unknown, command: Command) => {
        const where = nodePath(target);
        if (!where) throw new UsageError(`"${target}" is not a node path`, "NODE:/absolute/path");
        await (await access(command)).remove(where[0], where[1]);
        return 0;
      }),
    );
  node
    .command("shell <node>")
    .description("open a shell on a node")
    .action(
      exitWith(async (name: string, _o: unknown, command: Command) => {
        const { command: shell, args, cwd } = (await access(command)).shell(name);
        const child = spawn(shell, args, { cwd, stdio: "inherit" });
        return new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
      }),
    );
}
