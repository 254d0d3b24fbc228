import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { kubeconfigAs } from "../support/kubeconfig.js";
import { repoRoot, testEnv } from "./paths.js";

// Tasks that need what a cluster lacks, on the local cluster's API reached under a context
// name kubedrill has no node access for (as with a cloud cluster): list marks them, start
// refuses them, grade and verify skip them with the reason.

const cli = join(repoRoot, "dist", "cli", "main.js");
const noNodeAccess =
  "needs node-access: kubedrill has no node access for this context (only kind, minikube and local)";
let scratch: string;
let kubeconfig: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-requirements-"));
  kubeconfig = await kubeconfigAs(testEnv.KUBECONFIG, join(scratch, "remote.kubeconfig"), "practice-remote");
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const kubedrill = (...args: string[]) =>
  execa(process.execPath, [cli, ...args], {
    reject: false,
    env: { ...testEnv, KUBECONFIG: kubeconfig, NO_COLOR: "1" },
  });

describe("a context without node access", () => {
  it("list marks the node-level tasks unavailable and why, and only those", async () => {
    const result = await kubedrill("list", "--json");
    const rows = JSON.parse(result.stdout) as { id: string; unavailable: string[] }[];
    const unavailable = rows.filter((r) => r.unavailable.length > 0);
    // Every task that reaches a node, and no other; a node task may lack more (etcdctl, node-services).
    const { tasks } = await loadCatalog([builtinTasks], expressionChecker);
    const nodeTasks = tasks.filter((t) => t.task.requires?.includes("node-access")).map((t) => t.task.id);
    expect(unavailable.map((r) => r.id).sort()).toEqual(nodeTasks.sort());
    for (const row of unavailable) expect(row.unavailable).toContain(noNodeAccess);
    const table = await kubedrill("list", "--domain", "architecture");
    expect(table.stdout).toMatch(
      /^static-pod\s+architecture .*Run a static pod on a worker {2}\[unavailable here: needs node-access: /m,
    );
    expect(table.stderr).toContain(
      `${tasks.filter((t) => t.task.domain === "architecture" && nodeTasks.includes(t.task.id)).length} task(s) need what this cluster lacks; \`kubedrill doctor\` shows what it offers`,
    );
  });

  it("grade reports such a task as skipped with the reason, in JSON and JUnit, and its points count neither way", async () => {
    const junit = join(scratch, "report.xml");
    const result = await kubedrill("grade", "static-pod", "--json", "--junit", junit);
    const report = JSON.parse(result.stdout) as {
      total: number;
      tasks: { id: string; total: number; checks: { passed: boolean; skipped?: string }[] }[];
    };
    const task = report.tasks[0];
    expect(task?.checks).toHaveLength(4);
    for (const check of task?.checks ?? [])
      expect(check).toMatchObject({ passed: false, skipped: noNodeAccess });
    expect(task?.total).toBe(0);
    expect(report.total).toBe(0);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="static-pod" tests="4" failures="0" errors="0" skipped="4"/);
    expect(xml).toContain(`<skipped message="${noNodeAccess}"/>`);
    expect(xml).toContain('name="Mirror pod static-web-kubedrill-worker exists"');
  });

  it("verify skips it and says why, without failing", async () => {
    const result = await kubedrill("verify", "static-pod");
    expect(result.stdout).toBe(`- static-pod  skipped: ${noNodeAccess}`);
    expect(result.exitCode).toBe(0);
  });

  it("start refuses it with the reason and where to look, exit 3", async () => {
    const result = await kubedrill("start", "pod-infra-container");
    expect(result.stderr).toContain(
      `kubedrill: task pod-infra-container cannot run on context "practice-remote": ${noNodeAccess}`,
    );
    expect(result.stderr).toContain("next: `kubedrill doctor` shows what this cluster offers");
    expect(result.exitCode).toBe(3);
  });
});

describe("a machine without helm", () => {
  // Only node's own folder on PATH: no helm there, whatever the machine has installed.
  const withoutHelm = (...args: string[]) =>
    execa(process.execPath, [cli, ...args], {
      reject: false,
      env: { ...testEnv, PATH: dirname(process.execPath), NO_COLOR: "1" },
    });
  const noHelm = 'needs helm: there is no "helm" on PATH';

  it("list marks exactly the Helm tasks unavailable, and start refuses one with the reason", async () => {
    const result = await withoutHelm("list", "--json");
    const rows = JSON.parse(result.stdout) as { id: string; unavailable: string[] }[];
    const unavailable = rows.filter((r) => r.unavailable.length > 0);
    expect(unavailable.map((r) => r.id).sort()).toEqual([
      "helm-install",
      "helm-template",
      "helm-upgrade-rollback",
    ]);
    for (const row of unavailable) expect(row.unavailable).toEqual([noHelm]);
    const start = await withoutHelm("start", "helm-install");
    expect(start.stderr).toContain(
      `kubedrill: task helm-install cannot run on context "kubedrill-local": ${noHelm}`,
    );
    expect(start.exitCode).toBe(3);
  });
});
