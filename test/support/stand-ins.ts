import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Stand-in `docker`, `kind` and `minikube` executables for a temp folder that a test puts
// first on PATH (or alone, to leave a tool out). See stand-in-tool.mjs for what they answer.

export type StandInTool = "docker" | "kind" | "minikube";

export interface StandInState {
  dockerRunning: boolean;
  /** kind clusters by name, with their node containers. */
  kindClusters: Record<string, { name: string; state: "running" | "exited" }[]>;
  /** minikube profiles by name, with their node names. */
  minikubeProfiles: Record<string, string[]>;
  /** A folder per node: the node's root file system, for exec, cp and ssh. */
  nodesRoot: string;
}

export interface Call {
  tool: StandInTool;
  argv: string[];
  stdin: string;
}

export interface StandIns {
  /** The folder with the executables: the PATH to use. */
  bin: string;
  nodesRoot: string;
  calls(): Promise<Call[]>;
  /** The calls as command lines, "docker exec kubedrill-worker cat /etc/x", for exact comparisons. */
  commandLines(): Promise<string[]>;
  clearCalls(): Promise<void>;
  state(): Promise<StandInState>;
  setState(change: Partial<StandInState>): Promise<void>;
  /** Creates a node folder with files at node paths. */
  addNode(name: string, files?: Record<string, string>): Promise<void>;
  remove(): Promise<void>;
}

const toolScript = fileURLToPath(new URL("./stand-in-tool.mjs", import.meta.url));

export async function standIns(
  tools: StandInTool[] = ["docker", "kind", "minikube"],
  initial: Partial<StandInState> = {},
): Promise<StandIns> {
  const root = await mkdtemp(join(tmpdir(), "kubedrill-stand-ins-"));
  const bin = join(root, "bin");
  await mkdir(bin);
  const state: StandInState = {
    dockerRunning: true,
    kindClusters: {},
    minikubeProfiles: {},
    nodesRoot: join(root, "nodes"),
    ...initial,
  };
  await mkdir(state.nodesRoot, { recursive: true });
  const stateFile = join(root, "state.json");
  const callsFile = join(root, "calls.jsonl");
  await writeFile(stateFile, JSON.stringify(state));
  await writeFile(callsFile, "");
  for (const tool of tools) {
    const file = join(bin, tool);
    await writeFile(file, `#!/bin/sh\nexec "${process.execPath}" "${toolScript}" "${root}" ${tool} "$@"\n`);
    await chmod(file, 0o755);
  }
  const readState = async () => JSON.parse(await readFile(stateFile, "utf8")) as StandInState;
  const calls = async () =>
    (await readFile(callsFile, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  return {
    bin,
    nodesRoot: state.nodesRoot,
    calls,
    commandLines: async () => (await calls()).map((c) => [c.tool, ...c.argv].join(" ")),
    clearCalls: () => writeFile(callsFile, ""),
    state: readState,
    setState: async (change) => writeFile(stateFile, JSON.stringify({ ...(await readState()), ...change })),
    addNode: async (name, files = {}) => {
      await mkdir(join(state.nodesRoot, name), { recursive: true });
      for (const [path, content] of Object.entries(files)) {
        const file = join(state.nodesRoot, name, path);
        await mkdir(join(file, ".."), { recursive: true });
        await writeFile(file, content);
      }
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
