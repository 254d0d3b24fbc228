import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, testEnv } from "./paths.js";

// A task written for this test: its checks read other objects with cluster.get/list and
// loop over a ConfigMap too large for a nested loop. Graded through the CLI, as a learner would.

const cli = join(repoRoot, "dist", "cli", "main.js");
const id = "cel-cluster-reads";
let tasks: string;

const kubedrill = (...args: string[]) =>
  execa(process.execPath, [cli, "--tasks", tasks, ...args], {
    env: { ...testEnv, NO_COLOR: "1" },
    reject: false,
  });
const kubectl = (...args: string[]) => execa("kubectl", ["-n", id, ...args], { env: testEnv });

const task = `# yaml-language-server: $schema=${join(repoRoot, "tasks", "task.schema.json")}
id: ${id}
title: Point the app at its database secret
domain: workloads
difficulty: easy
minutes: 4
namespace: ${id}
description: |
  Create the Secret db-password that the ConfigMap settings names.
setup:
  - apply: { manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: settings }, data: { secret: db-password } } }
  - apply: { file: big.yaml }
checks:
  - title: The Secret named by settings exists, and no pod runs yet
    resource: { kind: ConfigMap, name: settings }
    expect: cluster.get("Secret", "db-password") != null && size(cluster.list("Pod")) == 0
  - title: Every key of big differs from every other
    resource: { kind: ConfigMap, name: big }
    expect: object.data.all(a, object.data.all(b, a == b || object.data[a] != object.data[b]))
solution: |
  kubectl -n ${id} create secret generic db-password --from-literal=password=s3cret
`;

beforeAll(async () => {
  tasks = await mkdtemp(join(tmpdir(), "kubedrill-cel-"));
  await mkdir(join(tasks, id));
  await writeFile(join(tasks, id, "task.yaml"), task);
  // 2,000 keys: the nested loop runs 4,000,000 times, past the budget of 1,000,000.
  const data = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, `v${i}`]));
  const big = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data };
  await writeFile(join(tasks, id, "big.yaml"), JSON.stringify(big));
  expect((await kubedrill("start", id)).exitCode).toBe(0);
});
afterAll(async () => {
  await kubedrill("reset", id);
  await rm(tasks, { recursive: true, force: true });
});

describe("CEL checks that read the cluster and spend their budget", () => {
  it("validate accepts the task: the nested loop's cost depends on data only the cluster has", async () => {
    const { exitCode, stderr } = await kubedrill("validate", tasks);
    expect(stderr).toContain("1 task OK");
    expect(exitCode).toBe(0);
  });

  it("cluster.get sees the Secret once it exists, through the check's snapshot", async () => {
    const before = await kubedrill("check", id, "--json");
    const reasons = (json: string) =>
      (JSON.parse(json) as { tasks: { checks: { passed: boolean; reasons: string[] }[] }[] }).tasks[0]
        ?.checks ?? [];
    expect(reasons(before.stdout)[0]).toMatchObject({ passed: false });
    await kubectl("create", "secret", "generic", "db-password", "--from-literal=password=s3cret");
    const after = await kubedrill("check", id, "--json");
    expect(reasons(after.stdout)[0]).toMatchObject({ passed: true, reasons: [] });
  });

  it("the loop past the budget fails its check with the reason, and grading goes on", async () => {
    const { stdout, exitCode } = await kubedrill("check", id);
    expect(stdout).toContain("CEL cost limit exceeded");
    expect(exitCode).toBe(1);
  });
});
