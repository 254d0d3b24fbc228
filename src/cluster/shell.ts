import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";

const shimDirs = new Map<string, Promise<string>>();

/**
 * A folder with a `kubedrill` executable that runs cliMain (the CLI's main.js, which the
 * caller names: this layer does not know where the CLI is built), so solutions can call
 * `kubedrill node cp`.
 */
function kubedrillOnPath(cliMain: string): Promise<string> {
  let shimDir = shimDirs.get(cliMain);
  shimDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubedrill-bin-"));
    const shim = join(dir, "kubedrill");
    await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliMain}" "$@"\n`);
    await chmod(shim, 0o755);
    return dir;
  })();
  shimDirs.set(cliMain, shimDir);
  return shimDir;
}

export interface ScriptResult {
  ok: boolean;
  output: string;
}

/** Runs a task's solution script with bash, as a learner's shell would, against the given kubeconfig context. */
export async function runScript(
  script: string,
  cliMain: string,
  env: Record<string, string | undefined> = {},
): Promise<ScriptResult> {
  const path = `${await kubedrillOnPath(cliMain)}${delimiter}${process.env.PATH ?? ""}`;
  const result = await execa("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...env, PATH: path },
    reject: false,
    all: true,
    // No stdin: a script runs unattended, and bash given a socket as stdin reads
    // /etc/bash.bashrc as if ssh had started it.
    stdin: "ignore",
    timeout: 120_000,
  });
  return { ok: result.exitCode === 0, output: result.all ?? "" };
}
