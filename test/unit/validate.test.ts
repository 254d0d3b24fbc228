import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { loadTask } from "../../src/catalog/load.js";
import { scaffoldTask, schemaReference } from "../../src/catalog/scaffold.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { formatProblem } from "../../src/errors.js";
import { brokenTasksFolder, expectedProblems } from "../fixtures/broken-tasks/expected.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));

describe("validate › the broken-task fixtures", () => {
  it("reports every problem at file:line:column: field.path: message, in file order", async () => {
    const { tasks, problems } = await loadCatalog([join(repo, brokenTasksFolder)], expressionChecker);
    // As `kubedrill validate test/fixtures/broken-tasks` shows them from the repository root.
    const shown = problems.map((p) => formatProblem(p).replaceAll(repo, ""));
    expect(shown).toEqual(expectedProblems);
    // The first of the two dup-id tasks is fine; every other task is broken.
    expect(tasks.map((t) => relative(repo, t.file))).toEqual([
      `${brokenTasksFolder}/copies/dup-id/task.yaml`,
    ]);
  });

  it("finds no problem in the built-in catalog", async () => {
    const { tasks, problems } = await loadCatalog([builtinTasks], expressionChecker);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(tasks.length).toBeGreaterThan(0);
    // Loading and type-checking the whole catalog; not a speed target (that is npm run bench).
  }, 60_000);
});

describe("scaffold › a new task", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("loads without a problem, as written", async () => {
    dir = await mkdtemp(join(tmpdir(), "kubedrill-scaffold-"));
    const taskDir = join(dir, "networking", "svc-expose-web");
    await mkdir(taskDir, { recursive: true });
    const files = scaffoldTask({
      id: "svc-expose-web",
      domain: "networking",
      schema: "../../task.schema.json",
    });
    for (const [name, content] of Object.entries(files)) await writeFile(join(taskDir, name), content);
    const result = await loadTask(join(taskDir, "task.yaml"), expressionChecker);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok && result.loaded.task).toMatchObject({
      id: "svc-expose-web",
      domain: "networking",
      namespace: "svc-expose-web",
      setup: [{ apply: { file: "broken.yaml" } }],
    });
    expect(files["task.yaml"]?.split("\n")[0]).toBe("# yaml-language-server: $schema=../../task.schema.json");
  });

  it("points its modeline at the built-in schema: relative inside the checkout, absolute outside", () => {
    const schema = "/opt/kubedrill/tasks/task.schema.json";
    expect(schemaReference("/opt/kubedrill/tasks/storage/pv-claim", schema)).toBe("../../task.schema.json");
    expect(schemaReference("/opt/kubedrill/courses/cka/workloads/x", schema)).toBe(
      "../../../../tasks/task.schema.json",
    );
    expect(schemaReference("/home/me/course/tasks/workloads/x", schema)).toBe(schema);
    expect(schemaReference("/opt/kubedrill-other/tasks/workloads/x", schema)).toBe(schema);
  });
});
