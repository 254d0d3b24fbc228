import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerPathProblem, maxAnswerBytes, readAnswerFile } from "../../src/catalog/answer-file.js";
import type { Task } from "../../src/catalog/schema.js";
import { parseManifests } from "../../src/catalog/yaml-source.js";
import { runChecks } from "../../src/engine/checks.js";
import type { ClusterReader } from "../../src/engine/ports.js";
import type { CheckResult } from "../../src/model/results.js";
import { checkReasons } from "../../src/report/reasons.js";

const reasonsOf = (check: CheckResult | undefined) => (check ? checkReasons(check) : []);

let dir: string;
let answers: string;
const secret = "root:x:0:0:the runner's secret\n";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubedrill-answers-"));
  answers = join(dir, "answers", "t");
  await mkdir(answers, { recursive: true });
  await writeFile(join(dir, "secret.txt"), secret);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const noCluster: ClusterReader = {
  resource: () => Promise.reject(new Error("no cluster read expected")),
  get: () => Promise.reject(new Error("no cluster read expected")),
  list: () => Promise.reject(new Error("no cluster read expected")),
};

async function checkFile(file: string) {
  const task = { id: "t", namespace: "t", checks: [{ title: "answer", points: 1, file, pattern: "root" }] };
  const [result] = await runChecks(task as unknown as Task, {
    cluster: noCluster,
    vars: { answers },
    uids: {},
  });
  return result;
}

describe("answer files › stay in the task's answers folder", () => {
  it("refuses absolute paths and any .. segment, allows sub-folders", () => {
    expect(answerPathProblem("../../etc/passwd")).toMatch(/must be a path inside the task's answers folder/);
    expect(answerPathProblem("/etc/passwd")).toMatch(/must be a path inside/);
    expect(answerPathProblem("a/../../b")).toMatch(/must be a path inside/);
    expect(answerPathProblem("sub/web.yaml")).toBeUndefined();
  });

  it("a check naming ../ fails with the reason and reads nothing outside", async () => {
    const result = await checkFile("../../secret.txt");
    expect(result?.passed).toBe(false);
    expect(reasonsOf(result)).toEqual([
      `answer file "../../secret.txt" must be a path inside the task's answers folder (no leading / and no ..)`,
    ]);
  });

  it("a symlink inside the folder that points outside is not followed", async () => {
    await symlink(join(dir, "secret.txt"), join(answers, "web.txt"));
    const result = await checkFile("web.txt");
    expect(result?.passed).toBe(false);
    expect(reasonsOf(result)).toHaveLength(1);
    expect(reasonsOf(result)[0]).toMatch(/leads outside the answers folder .*; not read$/);
    expect(reasonsOf(result).join("")).not.toContain("the runner's secret");
  });

  it("a symlink that stays inside the folder is read", async () => {
    await writeFile(join(answers, "real.txt"), "root\n");
    await symlink(join(answers, "real.txt"), join(answers, "web.txt"));
    expect((await checkFile("web.txt"))?.passed).toBe(true);
  });
});

describe("answer files › size", () => {
  it(`refuses a file over ${maxAnswerBytes} bytes and says the limit`, async () => {
    await writeFile(join(answers, "big.txt"), "root\n".repeat(maxAnswerBytes / 4));
    const read = await readAnswerFile(answers, "big.txt");
    expect(read).toEqual({
      problem: `answer file ${join(answers, "big.txt")} is ${(maxAnswerBytes / 4) * 5} bytes; an answer file may have at most ${maxAnswerBytes} (1 MiB)`,
    });
  });

  it("skips empty documents, as kubectl does: --- twice, or a document of comments only, as joined helm template files give", () => {
    const text =
      "---\n---\n# Source: agent/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# nothing here\n---\nkind: ConfigMap\n";
    const docs = parseManifests(text, "agent.yaml");
    expect(Array.isArray(docs) && docs.map((d) => [d.object.kind, d.line])).toEqual([
      ["ServiceAccount", 4],
      ["ConfigMap", 9],
    ]);
    expect(parseManifests("--- 42\n", "x.yaml")).toMatchObject({
      message: "a manifest document must be a mapping",
    });
  });

  it("parses a single mapping of ~85 000 keys (1 MiB) and still finds a duplicate key at its end", () => {
    // yaml's own duplicate test was quadratic here (minutes); the generous timeout still catches it coming back.
    const keys = Array.from({ length: 85_000 }, (_, i) => `  k${i}: v`);
    const text = `apiVersion: v1\nkind: ConfigMap\ndata:\n${keys.join("\n")}\n  k7: again\n`;
    expect(text.length).toBeLessThan(maxAnswerBytes);
    const problem = parseManifests(text, "big.yaml");
    expect(problem).toMatchObject({
      line: 85_004,
      column: 3,
      message: 'duplicate key "k7": a key may appear once per mapping',
    });
    // Linear parsing takes seconds on a busy machine; the quadratic one took over five minutes.
  }, 120_000);
});
