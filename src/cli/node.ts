import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { KubeApi } from "../cluster/api.js";
import { nodeAccessFor } from "../cluster/node-access/index.js";
import { UsageError } from "../errors.js";
import type { CommandContext } from "./program.js";

/** "node:/path" → ["node", "/path"]; a plain path → undefined. */
function nodePath(arg: string): [string, string] | undefined {
  const at = arg.indexOf(":");
  if (at <= 0 || !arg.slice(at + 1).startsWith("/")) return undefined;
  return [arg.slice(0, at), arg.slice(at + 1)];
}

// A node is reached without asking the API server, as `docker exec` reaches a kind node:
// node commands work while the control plane is broken, and skip its round trips.
async function access({ options }: CommandContext) {
  return nodeAccessFor(KubeApi.load(options).contextName);
}

/** `kubedrill node cp`: one side a node path, the other a local file. */
export async function nodeCopy(ctx: CommandContext, source: string, destination: string): Promise<number> {
  const [from, to] = [nodePath(source), nodePath(destination)];
  if (!from === !to) {
    throw new UsageError(
      "one side of node cp must be a node path (NODE:/absolute/path), the other a local file",
      "kubedrill node cp static-web.yaml kubedrill-worker:/etc/kubernetes/manifests/static-web.yaml",
    );
  }
  const nodes = await access(ctx);
  if (to) await nodes.copyTo(resolve(ctx.io.cwd, source), to[0], to[1]);
  else if (from) await nodes.copyFrom(from[0], from[1], resolve(ctx.io.cwd, destination));
  return 0;
}

export async function nodeRemove(ctx: CommandContext, target: string): Promise<number> {
  const where = nodePath(target);
  if (!where) throw new UsageError(`"${target}" is not a node path`, "NODE:/absolute/path");
  await (await access(ctx)).remove(where[0], where[1]);
  return 0;
}

/** `kubedrill node exec`: runs as root on the node, with the process's terminal; its exit code is ours. */
export async function nodeExec(ctx: CommandContext, name: string, argv: string[]): Promise<number> {
  return (await (await access(ctx)).exec(name, argv, { inherit: true })).exitCode;
}

/** `kubedrill node shell`: the shell gets the process's own terminal. */
export async function nodeShell(ctx: CommandContext, name: string): Promise<number> {
  const { command, args, cwd } = await (await access(ctx)).shell(name);
  const child = spawn(command, args, { cwd, env: ctx.io.env, stdio: "inherit" });
  return new Promise<number>((done) => child.on("exit", (code) => done(code ?? 0)));
}
