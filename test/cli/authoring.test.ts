import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokenTasksFolder, expectedProblems, taskFileCount } from "../fixtures/broken-tasks/expected.js";
import { repo, kubedrill as run } from "./in-process.js";

// validate and new as an author runs them, in-process with their own streams and folder.
const kubedrill = (...args: string[]) => run(args);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-authoring-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("kubedrill validate", () => {
  it("lists every problem of the broken tasks on stdout, a summary on stderr, and exits 2", async () => {
    const result = await kubedrill("validate", brokenTasksFolder);
    expect(result.stdout.split("\n")).toEqual(expectedProblems);
    expect(result.stderr).toBe(`${taskFileCount} tasks checked, ${expectedProblems.length} problems`);
    expect(result.exitCode).toBe(2);
  });

  it("passes the built-in catalog and exits 0", async () => {
    const result = await kubedrill("validate");
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^\d+ tasks OK$/);
    expect(result.exitCode).toBe(0);
  });

  it("says when a folder holds no task, and exits 2", async () => {
    const result = await kubedrill("validate", scratch);
    expect(result.stderr).toContain(`no task.yaml under ${scratch}`);
    expect(result.exitCode).toBe(2);
  });
});

describe("kubedrill new", () => {
  it("scaffolds a task that validates unchanged", async () => {
    const created = await kubedrill("new", "my-task", "--domain", "workloads", "--dir", scratch);
    expect(created.exitCode).toBe(0);
    const dir = join(scratch, "workloads", "my-task");
    expect((await readdir(dir)).sort()).toEqual(["broken.yaml", "task.yaml"]);
    expect(created.stdout).toContain(`created ${join(dir, "task.yaml")}`);
    // Outside the checkout, the modeline points at the built-in schema by its absolute path.
    const modeline = (await readFile(join(dir, "task.yaml"), "utf8")).split("\n")[0];
    expect(modeline).toBe(`# yaml-language-server: $schema=${join(repo, "tasks", "task.schema.json")}`);

    const validated = await kubedrill("validate", scratch);
    expect(validated.stdout).toBe("");
    expect(validated.stderr).toBe("1 task OK");
    expect(validated.exitCode).toBe(0);
  });

  it("refuses a folder that already exists, and exits 2", async () => {
    await kubedrill("new", "taken", "--dir", scratch);
    const again = await kubedrill("new", "taken", "--dir", scratch);
    expect(again.stderr).toContain(`${join(scratch, "workloads", "taken")} already exists`);
    expect(again.exitCode).toBe(2);
  });

  it("refuses an id that is not kebab-case, and exits 2", async () => {
    const result = await kubedrill("new", "My_Task", "--dir", scratch);
    expect(result.stderr).toContain('task id "My_Task" is not kebab-case');
    expect(result.exitCode).toBe(2);
    expect(existsSync(join(scratch, "workloads", "My_Task"))).toBe(false);
  });
});
