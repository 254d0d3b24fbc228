import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repo } from "./in-process.js";

// What a fresh process loads is only visible in a fresh process: the built binary runs
// with a loader hook that refuses @kubernetes/client-node and notes any attempt.

const cli = join(repo, "dist", "cli", "main.js");
const hook = join(repo, "test", "cli", "forbid-client-node.mjs");
let scratch: string;
let mark: string;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-cold-"));
  mark = join(scratch, "loaded");
  // A token user on a loopback port where nothing listens: list reads the credentials, then works offline.
  await writeFile(
    join(scratch, "kubeconfig"),
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "kubedrill-local", context: { cluster: "c", user: "u" } }],
      "current-context": "kubedrill-local",
    }),
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function cold(...args: string[]) {
  await rm(mark, { force: true });
  const result = await execa("node", ["--import", hook, cli, ...args], {
    cwd: scratch,
    reject: false,
    env: { KUBECONFIG: join(scratch, "kubeconfig"), KUBEDRILL_LOADED_MARK: mark, NO_COLOR: "1" },
  });
  const loaded = existsSync(mark) ? await readFile(mark, "utf8") : "";
  return { ...result, loaded };
}

describe("a cold kubedrill loads only what the command needs", () => {
  it.each([
    [["--help"], 0, ""],
    [["--version"], 0, ""],
    // list reads the kubeconfig's credentials and tries the cluster before it says so.
    [["list"], 0, 'cannot reach cluster "kubedrill-local" at https://127.0.0.1:1 (ECONNREFUSED)'],
    [["validate"], 0, "tasks OK"],
    [["new", "cold-task", "--dir", "."], 0, ""],
    [["check"], 2, "missing required argument 'task'"],
  ])("kubedrill %j never loads @kubernetes/client-node", async (args, exitCode, said) => {
    const result = await cold(...args);
    expect(result.loaded).toBe("");
    expect(result.stderr).toContain(said);
    expect(result.exitCode).toBe(exitCode);
  });

  // dist/ is a bundle: this holds that it still imports client-node by name, where the hook sees it.
  it("the built CLI does load @kubernetes/client-node when a kubeconfig needs it (a proxy-url)", async () => {
    const kubeconfig = join(scratch, "proxied-kubeconfig");
    const config = JSON.parse(await readFile(join(scratch, "kubeconfig"), "utf8"));
    config.clusters[0].cluster["proxy-url"] = "http://127.0.0.1:1";
    await writeFile(kubeconfig, JSON.stringify(config));
    const result = await cold("list", "--kubeconfig", kubeconfig);
    expect(result.loaded).toBe("@kubernetes/client-node\n");
    expect(result.stderr).toContain("cold start loaded @kubernetes/client-node");
  });

  it("the hook does catch a load of @kubernetes/client-node", async () => {
    await rm(mark, { force: true });
    const result = await execa(
      "node",
      ["--import", hook, "--input-type=module", "-e", "await import('@kubernetes/client-node')"],
      { cwd: repo, reject: false, env: { KUBEDRILL_LOADED_MARK: mark } },
    );
    expect(result.exitCode).not.toBe(0);
    expect(await readFile(mark, "utf8")).toBe("@kubernetes/client-node\n");
  });
});
