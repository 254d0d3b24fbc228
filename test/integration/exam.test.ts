import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { connect } from "../../src/cluster/connect.js";
import { runScript } from "../../src/cluster/shell.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { reset, solutionScript, type Target } from "../../src/engine/run.js";
import { type Exam, loadExam } from "../../src/session/exam.js";
import { selectExamTasks } from "../../src/session/exam-select.js";
import { readHistory } from "../../src/session/history.js";
import { builtCli } from "../support/cli-main.js";
import { repoRoot } from "./paths.js";

// A learner's mock exams with the built CLI against the local test cluster: start,
// status, show, solve with the reference solutions, submit; a late one; an aborted one.

const cli = join(repoRoot, "dist", "cli", "main.js");
const catalog = (await loadCatalog([builtinTasks], expressionChecker)).tasks;
let scratch: string;
let files: { KUBEDRILL_EXAM: string; KUBEDRILL_HISTORY: string };
let target: Target;

function kubedrill(args: string[]) {
  return execa("node", [cli, ...args], { cwd: repoRoot, env: { ...process.env, ...files }, reject: false });
}

const namespaceOf = (id: string) => catalog.find((t) => t.task.id === id)?.task.namespace ?? "";
const exists = async (namespace: string) =>
  (await target.api.get("v1", "Namespace", namespace)) !== undefined;
/** What is left of the workloads and services a task's setup made in its namespace. */
const emptied = async (namespace: string) => {
  const kinds = [
    ["v1", "Pod"],
    ["v1", "Service"],
    ["apps/v1", "Deployment"],
  ] as const;
  const lists = await Promise.all(kinds.map(([v, k]) => target.api.list(v, k, namespace)));
  return lists.flat().map((o) => `${o.kind}/${o.metadata?.name}`);
};
const examOnDisk = () => loadExam(files.KUBEDRILL_EXAM) as Promise<Exam>;

/** An extra catalog with one networking task, whose check does not wait: the seed has no networking tasks. */
async function networkingCatalog(): Promise<string> {
  const dir = join(scratch, "catalog", "exam-service");
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "task.yaml"),
    `# yaml-language-server: $schema=${join(repoRoot, "tasks", "task.schema.json")}
id: exam-service
title: Expose web on port 80
domain: networking
difficulty: easy
minutes: 4
namespace: exam-net
description: Create a Service named web in namespace exam-net on port 80.
checks:
  - title: Service web listens on port 80
    points: 2
    resource: { kind: Service, name: web }
    expect: object.spec.ports.exists(p, p.port == 80)
hints: ["kubectl create service clusterip web --tcp=80:80"]
solution: kubectl -n exam-net create service clusterip web --tcp=80:80
`,
  );
  return join(scratch, "catalog");
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-exam-"));
  files = {
    KUBEDRILL_EXAM: join(scratch, "state", "exam.json"),
    KUBEDRILL_HISTORY: join(scratch, "history.jsonl"),
  };
  target = await connect({ write: true });
});

afterAll(async () => {
  for (const loaded of catalog) await reset(loaded, target);
  await rm(scratch, { recursive: true, force: true });
});

describe("kubedrill exam", () => {
  it("start sets the seeded, weighted tasks up; status and show work; submit grades, passes and records", async () => {
    const seed = "exam-pass";
    const expected = selectExamTasks(
      catalog.map((t) => ({ id: t.task.id, domain: t.task.domain })),
      { count: 3, seed },
    ).map((t) => t.id);

    const started = await kubedrill(["exam", "start", "--count", "3", "--seed", seed]);
    expect(started.exitCode, started.stderr).toBe(0);
    expect([...started.stdout.matchAll(/\[([a-z0-9-]+)\]$/gm)].map((m) => m[1])).toEqual(expected);
    expect(started.stdout).toContain(`kubedrill exam start --seed ${seed} --count 3`);
    for (const id of expected) expect(await exists(namespaceOf(id)), id).toBe(true);
    expect((await examOnDisk()).tasks.map((t) => t.id)).toEqual(expected);

    const again = await kubedrill(["exam", "start"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("a mock exam is already running");

    const status = await kubedrill(["exam", "status"]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/Time left: \d+m \d\ds of \d+ min/);
    for (const id of expected) expect(status.stdout).toContain(`[${id}]`);
    expect(status.stdout).not.toMatch(/\d+\/\d+ points/);

    const second = catalog.find((t) => t.task.id === expected[1]);
    const show = await kubedrill(["exam", "show", "2"]);
    expect(show.stdout).toContain("Task 2 of 3");
    expect(show.stdout).toContain(`${second?.task.title}  [${expected[1]}]`);

    for (const id of expected) {
      const loaded = catalog.find((t) => t.task.id === id);
      const solved = await runScript(
        await solutionScript(loaded as NonNullable<typeof loaded>, target),
        builtCli,
      );
      expect(solved.ok, solved.output).toBe(true);
    }
    const submitted = await kubedrill(["exam", "submit"]);
    expect(submitted.exitCode, submitted.stdout + submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/Mock exam: PASS with 100\.0% \(pass mark 66%\), submitted after/);
    expect(existsSync(files.KUBEDRILL_EXAM)).toBe(false);

    const { records } = await readHistory(files.KUBEDRILL_HISTORY);
    expect(records.filter((r) => r.type === "task").map((r) => r.type === "task" && r.task)).toEqual(
      expected,
    );
    expect(records.at(-1)).toMatchObject({ type: "exam", seed, passed: true, late: false, percent: 100 });

    const progress = JSON.parse((await kubedrill(["progress", "--json"])).stdout) as {
      domains: { domain: string; attempts: number; passed: number }[];
      exams: { taken: number; passed: number };
    };
    const attempts = progress.domains.reduce((sum, d) => sum + d.attempts, 0);
    expect(attempts).toBe(3);
    expect(progress.exams).toMatchObject({ taken: 1, passed: 1 });
  });

  it("after the time is up, status says so and submit still grades, marked late, from the catalog it started with", async () => {
    const extra = await networkingCatalog();
    // --no-builtin: only the extra folder's one networking task, whatever the catalog holds.
    const started = await kubedrill([
      "--no-builtin",
      "--tasks",
      extra,
      "exam",
      "start",
      "--domain",
      "networking",
      "--count",
      "2",
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stderr).toContain("only 1 task of the catalog fit this exam, not 2");
    expect(started.stdout).toContain("kubedrill exam start --seed");
    expect(started.stdout).toMatch(/--count 1 --domain networking$/m);
    const exam = await examOnDisk();
    expect(exam.tasks.map((t) => t.id)).toEqual(["exam-service"]);
    // The clock ran out two minutes ago, as if the learner had closed the terminal and come back.
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await writeFile(files.KUBEDRILL_EXAM, JSON.stringify({ ...exam, startedAt: ago(6), endsAt: ago(2) }));

    const status = await kubedrill(["exam", "status"]);
    expect(status.stdout).toMatch(
      /Time is up: it ended at \d\d:\d\d, 2m \d\ds ago\. kubedrill exam submit still grades it, marked late\./,
    );

    const submitted = await kubedrill(["exam", "submit"]);
    expect(submitted.exitCode).toBe(1);
    expect(submitted.stdout).toMatch(
      /^ 1 {3}networking\s+0\/2 {2}✗ Expose web on port 80 {2}\[exam-service\]$/m,
    );
    // The details wait in the review, which needs neither the exam nor the --tasks folder any more.
    const review = await kubedrill(["exam", "review"]);
    expect(review.exitCode, review.stderr).toBe(0);
    expect(review.stdout).toContain("✗ Service web listens on port 80  (0/2)");
    expect(review.stdout).toContain("    kubectl -n exam-net create service clusterip web --tcp=80:80");
    expect(submitted.stdout).toMatch(
      /Mock exam: FAIL with 0\.0% \(pass mark 66%\), submitted late, 2m \d\ds after the time was up\./,
    );
    const { records } = await readHistory(files.KUBEDRILL_HISTORY);
    expect(records.at(-1)).toMatchObject({
      type: "exam",
      tasks: ["exam-service"],
      passed: false,
      late: true,
    });
    await kubedrill(["--tasks", extra, "reset", "exam-service"]);
  });

  it("abort resets everything the exam set up and records nothing", async () => {
    const before = await readFile(files.KUBEDRILL_HISTORY, "utf8");
    const started = await kubedrill(["exam", "start", "--count", "2", "--seed", "abort-me"]);
    expect(started.exitCode, started.stderr).toBe(0);
    const ids = (await examOnDisk()).tasks.map((t) => t.id);
    for (const id of ids) expect(await exists(namespaceOf(id)), id).toBe(true);

    const aborted = await kubedrill(["exam", "abort"]);
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    // Reset keeps each namespace and empties it (ADR 0004).
    for (const id of ids) expect(await emptied(namespaceOf(id)), id).toEqual([]);
    expect(existsSync(files.KUBEDRILL_EXAM)).toBe(false);
    expect(await readFile(files.KUBEDRILL_HISTORY, "utf8")).toBe(before);

    const status = await kubedrill(["exam", "status"]);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toContain("no mock exam is running");
  });
});
