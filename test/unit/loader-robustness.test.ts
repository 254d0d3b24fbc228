import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTask } from "../../src/catalog/load.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { formatProblem } from "../../src/errors.js";

// A valid task; each test breaks one thing in it or replaces it. Line numbers in the
// assertions count from here (id is line 1).
const valid = `id: t
title: Run the pod web
domain: workloads
difficulty: easy
minutes: 3
namespace: t
description: Run a pod named web.
checks:
  - title: Pod web exists
    resource: { kind: Pod, name: web }
solution: kubectl -n t run web --image=nginx:1.27
`;

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "kubedrill-robust-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes <case>/t/task.yaml (and files beside it), loads it and returns its problems as validate prints them. */
async function problemsOf(text: string | Uint8Array, beside: Record<string, string> = {}): Promise<string[]> {
  const dir = join(root, String(++count), "t");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "task.yaml"), text);
  for (const [name, content] of Object.entries(beside)) await writeFile(join(dir, name), content);
  const result = await loadTask(join(dir, "task.yaml"), expressionChecker);
  return result.ok ? [] : result.problems.map((p) => formatProblem(p).replaceAll(`${dir}/`, ""));
}

const billionLaughs = `a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
`;

describe("loader › robustness against hostile or broken files", () => {
  it("accepts the valid task these tests start from", async () => {
    expect(await problemsOf(valid)).toEqual([]);
  });

  it("reports malformed YAML where the parser gave up", async () => {
    expect(await problemsOf(valid.replace("title: Run the pod web", "title: [Run the pod web"))).toContain(
      "task.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
  });

  it("refuses tabs as indentation and says to use spaces", async () => {
    const problems = await problemsOf(
      valid.replace("  - title: Pod web exists", "\t- title: Pod web exists"),
    );
    expect(problems[0]).toBe("task.yaml:9:1: tabs are not allowed as indentation; indent with spaces");
  });

  it("names a duplicate key at the second occurrence", async () => {
    expect(await problemsOf(valid.replace("minutes: 3", "minutes: 3\nminutes: 4"))).toEqual([
      'task.yaml:6:1: duplicate key "minutes": a key may appear once per mapping',
    ]);
  });

  it("names a duplicate key inside a flow mapping", async () => {
    expect(
      await problemsOf(valid.replace("{ kind: Pod, name: web }", "{ kind: Pod, name: web, kind: Node }")),
    ).toEqual(['task.yaml:10:39: duplicate key "kind": a key may appear once per mapping']);
  });

  it("stops a billion-laughs alias bomb quickly, at the first alias", async () => {
    const started = Date.now();
    expect(await problemsOf(billionLaughs)).toEqual([
      'task.yaml:2:8: aliases expand into too many copies (more than 100); is this a "billion laughs" file?',
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stops an alias bomb in a manifest file that setup applies", async () => {
    const task = valid.replace("checks:", "setup:\n  - apply: { file: bomb.yaml }\nchecks:");
    expect(await problemsOf(task, { "bomb.yaml": billionLaughs })).toEqual([
      'bomb.yaml:2:8: aliases expand into too many copies (more than 100); is this a "billion laughs" file?',
    ]);
  });

  it("reports an alias whose anchor does not exist", async () => {
    expect(await problemsOf(valid.replace("minutes: 3", "minutes: *three"))).toEqual([
      "task.yaml:5:10: Unresolved alias (the anchor must be set before the alias): three",
    ]);
  });

  it("refuses a file over 1 MiB without parsing it", async () => {
    const huge = `${valid}# ${"x".repeat(1024 * 1024)}\n`;
    expect(await problemsOf(huge)).toEqual([
      `task.yaml:1:1: file is ${Buffer.byteLength(huge)} bytes; a task file may have at most 1048576`,
    ]);
  });

  it("refuses binary content (NUL bytes)", async () => {
    expect(await problemsOf(Buffer.from(`${valid}\0\x01\x02`))).toEqual([
      "task.yaml:1:1: file is binary (contains NUL bytes), not YAML",
    ]);
  });

  it("refuses text that is not UTF-8", async () => {
    const latin1 = Buffer.from(valid.replace("Run the pod web", "Créer le pod web"), "latin1");
    expect(await problemsOf(latin1)).toEqual(["task.yaml:1:1: file is not valid UTF-8 text"]);
  });

  it("accepts a UTF-8 byte order mark", async () => {
    expect(await problemsOf(`\ufeff${valid}`)).toEqual([]);
  });

  it("refuses a task file that is a list", async () => {
    expect(await problemsOf("- id: t\n- title: x\n")).toEqual([
      "task.yaml:1:1: a task file must be a mapping (id: …, title: …), not a list",
    ]);
  });

  it("refuses a task file that is a single value", async () => {
    expect(await problemsOf("# a comment first\njust some text\n")).toEqual([
      "task.yaml:2:1: a task file must be a mapping (id: …, title: …), not a single value",
    ]);
  });

  it("refuses an empty file and one with only comments", async () => {
    const empty = ["task.yaml:1:1: the file is empty; a task is a mapping (id: …, title: …)"];
    expect(await problemsOf("")).toEqual(empty);
    expect(await problemsOf("# yaml-language-server: $schema=../task.schema.json\n")).toEqual(empty);
  });

  it("refuses a second YAML document", async () => {
    expect(await problemsOf(`${valid}---\nid: u\n`)).toEqual([
      "task.yaml:12:1: a second YAML document (after ---); a task file holds exactly one",
    ]);
  });

  it("refuses nesting deeper than 64 levels, at the first collection too deep", async () => {
    const deep = valid.replace("solution:", `x: ${"[".repeat(65)}${"]".repeat(65)}\nsolution:`);
    expect(await problemsOf(deep)).toEqual([
      "task.yaml:11:67: nested more than 64 levels deep; a task file needs far fewer",
    ]);
  });

  it("survives nesting deep enough to overflow the parser's stack, with one problem", async () => {
    const problems = await problemsOf(`x: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^task\.yaml:1:\d+: (nested too deeply to read; a task file needs at most 64 levels|nested more than 64 levels deep; a task file needs far fewer)$/,
    );
  });

  it("survives deeply nested block mappings", async () => {
    const block = Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n");
    expect(await problemsOf(`${block} 1\n`)).toEqual([
      "task.yaml:65:65: nested more than 64 levels deep; a task file needs far fewer",
    ]);
  });

  it("refuses a key that is a list or mapping", async () => {
    expect(await problemsOf(valid.replace("minutes: 3", "? [minutes]\n: 3"))).toEqual([
      "task.yaml:5:3: a key must be a plain name, not a list or mapping",
    ]);
  });

  it("reports YAML warnings such as an unknown tag as problems", async () => {
    expect(await problemsOf(valid.replace("minutes: 3", "minutes: !seconds 3"))).toEqual([
      "task.yaml:5:10: Unresolved tag: !seconds",
    ]);
  });

  it("points an unknown field at its key, even inside a flow mapping", async () => {
    expect(await problemsOf(valid.replace("name: web }", "name: web, nmae: web }"))).toEqual([
      'task.yaml:10:39: checks[0].resource.nmae: unknown field "nmae"',
    ]);
  });

  it("points a wrong type at the value", async () => {
    expect(
      await problemsOf(valid.replace("resource: { kind: Pod, name: web }", "resource: Pod/web")),
    ).toEqual(['task.yaml:10:15: checks[0].resource: expected a mapping, found "Pod/web"']);
  });

  it("reports a missing field at the mapping that lacks it", async () => {
    expect(
      await problemsOf(valid.replace("  - title: Pod web exists\n    resource", "  - resource")),
    ).toEqual(['task.yaml:9:5: checks[0].title: missing required field "title"']);
  });

  it("says a check with two targets has exactly one", async () => {
    expect(await problemsOf(valid.replace("    resource:", "    file: web.txt\n    resource:"))).toEqual([
      "task.yaml:9:5: checks[0]: a check has a title and exactly one of resource, file, nodeFile, nodeService, access, apiServer, with match/expect/equals/pattern as that kind allows",
    ]);
  });

  it("mentions points when a check's points are not a positive whole number", async () => {
    for (const points of ["0", "-2", "1.5"]) {
      expect(
        await problemsOf(valid.replace("    resource:", `    points: ${points}\n    resource:`)),
      ).toEqual([
        `task.yaml:10:13: checks[0].points: must be a positive whole number of points (1, 2, …); found ${points}`,
      ]);
    }
  });

  it("asks for a runnable reference solution when it is missing or empty", async () => {
    const message =
      "solution: a task needs a runnable reference solution: the shell script `kubedrill verify` runs to prove the task";
    expect(await problemsOf(valid.replace(/solution: .*\n/, ""))).toEqual([`task.yaml:1:1: ${message}`]);
    expect(await problemsOf(valid.replace(/solution: .*\n/, 'solution: ""\n'))).toEqual([
      `task.yaml:11:11: ${message}`,
    ]);
  });

  it("refuses an apply file outside the task's folder", async () => {
    const task = valid.replace("checks:", "setup:\n  - apply: { file: ../../secrets.yaml }\nchecks:");
    expect(await problemsOf(task)).toEqual([
      "task.yaml:9:20: setup[0].apply.file: file ../../secrets.yaml must be beside task.yaml (a path inside the task's folder)",
    ]);
  });

  it("copies into the answers folder only from the task's folder, and only to a path inside the answers folder", async () => {
    const task = valid.replace(
      "checks:",
      "setup:\n  - copyToAnswers: { from: ../../home, to: /etc }\n  - copyToAnswers: { from: chart }\nchecks:",
    );
    expect(await problemsOf(task)).toEqual([
      "task.yaml:9:28: setup[0].copyToAnswers.from: ../../home must be beside task.yaml (a path inside the task's folder)",
      `task.yaml:9:44: setup[0].copyToAnswers.to: answer file "/etc" must be a path inside the task's answers folder (no leading / and no ..)`,
      "task.yaml:10:28: setup[1].copyToAnswers.from: chart does not exist beside task.yaml",
    ]);
  });

  it("installs only a chart folder of the task's, and only in a task that requires helm", async () => {
    const task = valid.replace(
      "checks:",
      "setup:\n  - helmInstall: { release: web, chart: values.yaml }\n  - helmInstall: { release: web, chart: ../web }\nchecks:",
    );
    expect(await problemsOf(task, { "values.yaml": "replicas: 1\n" })).toEqual([
      "task.yaml:9:41: setup[0].helmInstall.chart: values.yaml is not a chart folder beside task.yaml (no values.yaml/Chart.yaml)",
      "task.yaml:9:18: setup[0].helmInstall: a task whose setup installs a chart needs helm: add `requires: [helm]`",
      "task.yaml:10:41: setup[1].helmInstall.chart: ../web must be beside task.yaml (a path inside the task's folder)",
      "task.yaml:10:18: setup[1].helmInstall: a task whose setup installs a chart needs helm: add `requires: [helm]`",
    ]);
  });

  it("refuses a setup delete in another namespace but allows checks to read there", async () => {
    const task = valid
      .replace("checks:", "setup:\n  - delete: { kind: Pod, name: web, namespace: default }\nchecks:")
      .replace("name: web }\nsolution", "name: web, namespace: default }\nsolution");
    expect(await problemsOf(task)).toEqual([
      `task.yaml:9:48: setup[0].delete.namespace: Pod in namespace "default" is outside the task's namespace "t"; setup writes only there (leave the namespace out to use it)`,
    ]);
  });
});
