import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, testEnv } from "./paths.js";

// A namespace that cannot go (an object in it keeps a finalizer nobody removes) ends a reset
// with exit 3 naming the finalizer and how to clear it, after a short grace, not 120 s of silence.

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
  await kubectl("wait", "--for=delete", `namespace/${namespace}`, "--timeout=60s");
});

describe("reset when the task's namespace is stuck in Terminating", () => {
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
        `^kubedrill: namespace ${namespace} is stuck in Terminating after \\d+s; what blocks it: .*${finalizer}`,
      ),
    );
    expect(hint).toContain(
      `kubectl get namespace ${namespace} -o json | jq '.spec.finalizers=[]' | kubectl replace --raw /api/v1/namespaces/${namespace}/finalize -f -`,
    );
    expect(result.stderr).not.toContain("unexpected error");
  });
});
