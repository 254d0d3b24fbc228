import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, testEnv } from "./paths.js";

// Reset empties the task's namespace; an object in it that keeps a finalizer nobody removes
// ends the reset with exit 3 naming the object, the finalizer and how to clear it, after a
// short grace, not a minute of silence.

const cli = join(repoRoot, "dist", "cli", "main.js");
const env = { ...process.env, ...testEnv };
const task = "pod-run-nginx";
const namespace = "pods-cli";
const finalizer = "kubedrill.dev/test-block";

const kubectl = (...args: string[]) => execa("kubectl", args, { env, reject: false });
const kubedrill = (...args: string[]) => execa("node", [cli, ...args], { cwd: repoRoot, env, reject: false });

afterAll(async () => {
  // Let the namespace go, so the other tests find the cluster as they expect.
  await kubectl(
    "-n",
    namespace,
    "patch",
    "configmap",
    "blocker",
    "--type=merge",
    "-p",
    '{"metadata":{"finalizers":null}}',
  );
  await kubectl("-n", namespace, "wait", "--for=delete", "configmap/blocker", "--timeout=60s");
});

describe("reset when an object in the task's namespace keeps a finalizer", () => {
  it("exits 3 naming the blocking finalizer and the command that clears it", async () => {
    expect((await kubedrill("start", task)).exitCode).toBe(0);
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "blocker", namespace, finalizers: [finalizer] },
    });
    const created = await execa("kubectl", ["apply", "-f", "-"], { env, input: manifest, reject: false });
    expect(created.exitCode).toBe(0);

    const result = await kubedrill("reset", task);
    expect(result.exitCode).toBe(3);
    const [message, hint] = result.stderr.split("\n");
    expect(message).toMatch(
      new RegExp(
        `^kubedrill: reset cannot empty namespace ${namespace} after \\d+s: finalizers nobody removes hold ConfigMap blocker \\(${finalizer}\\)$`,
      ),
    );
    expect(hint).toContain(
      `kubectl -n ${namespace} patch configmap blocker --type=merge -p '{"metadata":{"finalizers":null}}'`,
    );
    expect(result.stderr).not.toContain("unexpected error");
  });
});
