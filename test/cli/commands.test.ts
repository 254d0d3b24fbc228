import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domains } from "../../src/model/domains.js";
import { examPassMark } from "../../src/session/exam.js";
import { kubedrill, repo } from "./in-process.js";

// Commands run in-process with their own streams, environment and folder: parsing,
// usage errors, exit codes and output, without a process per case.

let scratch: string;
let unreachable: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-commands-"));
  unreachable = join(scratch, "kubeconfig");
  await writeFile(
    unreachable,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]",
      "users: [{ name: u, user: { token: t } }]",
      "contexts: [{ name: kubedrill-local, context: { cluster: c, user: u } }]",
      "current-context: kubedrill-local",
    ].join("\n"),
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("kubedrill --version", () => {
  const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string })
    .version;

  it.each([["--version"], ["-V"]])("%s prints the package version and exits 0", async (flag) => {
    expect(await kubedrill([flag])).toEqual({ stdout: version, stderr: "", exitCode: 0 });
  });
});

describe("kubedrill --help", () => {
  it("lists every command on stdout and exits 0", async () => {
    const result = await kubedrill(["--help"]);
    expect(result.exitCode).toBe(0);
    const commands = ["list", "show", "start", "check", "reset", "grade", "cluster", "doctor", "node"];
    for (const command of [...commands, "verify", "validate", "new", "practice", "exam", "progress"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("names the catalog's domains and the exam's pass mark, which it states without loading them", async () => {
    const list = await kubedrill(["list", "--help"]);
    expect(list.stdout.replace(/\s+/g, " ")).toContain(`(${domains.join(", ")})`);
    const exam = await kubedrill(["exam", "--help"]);
    expect(exam.stdout).toContain(`(pass mark ${examPassMark}%)`);
  });
});

describe("usage errors exit 2 with a next step", () => {
  it.each([
    [["bogus"], "error: unknown command 'bogus'"],
    [["check"], "error: missing required argument 'task'"],
    [["grade", "--all", "--pass-mark", "120"], '--pass-mark must be a percentage from 0 to 100, not "120"'],
    [["grade"], "name the tasks to grade or pass --all"],
    [["verify", "--all", "--jobs", "0"], '--jobs must be a whole number above 0, not "0"'],
    [["reset"], "name one task or pass --all"],
    [["list", "--domain", "cooking"], 'unknown domain "cooking"'],
    [["check", "no-such-task"], "no-such-task"],
  ])("kubedrill %j", async (args, said) => {
    const result = await kubedrill(args);
    expect(result.stderr).toContain(said);
    expect(result.exitCode).toBe(2);
  });
});

describe("commands use the folder and environment they are given", () => {
  it("list works offline, saying why it cannot ask the cluster", async () => {
    const result = await kubedrill(["--kubeconfig", "kubeconfig", "list", "--json"], { cwd: scratch });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(
      'not checking which tasks the cluster can run: cannot reach cluster "kubedrill-local" at https://127.0.0.1:1 (ECONNREFUSED)',
    );
    const rows = JSON.parse(result.stdout) as { id: string; unavailable?: string[] }[];
    expect(rows.map((r) => r.id)).toContain("pod-fix-redis-image");
    expect(rows.every((r) => r.unavailable === undefined)).toBe(true);
  });

  it("list --no-builtin shows only the --tasks folders' tasks", async () => {
    const result = await kubedrill(
      [
        "--kubeconfig",
        "kubeconfig",
        "--no-builtin",
        "--tasks",
        join(repo, "test", "fixtures", "check-tasks"),
        "list",
        "--json",
      ],
      { cwd: scratch },
    );
    expect(result.exitCode).toBe(0);
    const ids = (JSON.parse(result.stdout) as { id: string }[]).map((r) => r.id).sort();
    expect(ids).toEqual(["deploy-web-owned-pods", "netpol-db-only-api", "rbac-pod-reader"]);
  });

  it("progress reads the history file its environment names", async () => {
    const history = join(scratch, "history.jsonl");
    await writeFile(history, "not json\n");
    const result = await kubedrill(["progress", "--json"], { env: { KUBEDRILL_HISTORY: history } });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).history).toBe(history);
    expect(result.stderr).toBe(`note: skipped 1 damaged line(s) of ${history}: 1`);
  });

  it("check reads only the named task: a broken neighbour in --tasks does not stop it", async () => {
    const args = ["--tasks", "test/fixtures/broken-tasks", "--kubeconfig", unreachable];
    const neighbour = await kubedrill([...args, "check", "pod-run-nginx"]);
    expect(neighbour.stderr).toContain("cannot reach cluster");
    expect(neighbour.exitCode).toBe(3);
    const broken = await kubedrill([...args, "check", "bad-cel"]);
    expect(broken.stderr).toBe(
      "kubedrill: test/fixtures/broken-tasks/bad-cel/task.yaml:14:33: checks[0].expect: CEL does not compile: <input>:1:21: found = but expecting end of input".replace(
        "test/",
        `${repo}/test/`,
      ),
    );
    expect(broken.exitCode).toBe(2);
  });

  it("check of an unreachable cluster exits 3 with the next step", async () => {
    const result = await kubedrill(["--kubeconfig", unreachable, "check", "pod-run-nginx"]);
    expect(result.stderr).toBe(
      'kubedrill: cannot reach cluster "kubedrill-local" at https://127.0.0.1:1 (ECONNREFUSED)\n' +
        "  next: is it running? try: kubedrill cluster status, or kubedrill cluster up",
    );
    expect(result.exitCode).toBe(3);
  });
});
