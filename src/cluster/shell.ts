import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { packagePath } from "../package-root.js";

/** The built CLI. */
const cliMain = packagePath("dist/cli/main.js");

let shimDir: Promise<string> | undefined;

/** A folder with a `kubedrill` executable, so solutions can call `kubedrill node cp`. */
function kubedrillOnPath(): Promise<string> {
  shimDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubedrill-bin-"));
    const shim = join(dir, "kubedrill");
    await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliMain}" "$@"\n`);
    await chmod(shim, 0o755);
    return dir;
  })();
  return shimDir;
}

export interface ScriptResult {
  ok: boolean;
  output: string;
}

/** Runs a task's solution script with bash, as a learner's shell would, against the given kubeconfig context. */
export async function runScript(
  script: string,
  env: Record<string, string | undefined> = {},
): Promise<ScriptResult> {
  const path = `${await kubedrillOnPath()}${delimiter}${process.env.PATH ?? ""}`;
  const result = await execa("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...env, PATH: path },
    reject: false,
    all: true,
    timeout: 120_000,
  });
  return { ok: result.exitCode === 0, output: result.all ?? "" };
}
