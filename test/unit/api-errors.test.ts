import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadedTask, loadTask } from "../../src/catalog/load.js";
import { KubeApi } from "../../src/cluster/api.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { grade } from "../../src/engine/run.js";
import { ClusterRequestError, ExitCode, KindNotServedError, KubedrillError } from "../../src/errors.js";
import type { CheckResult } from "../../src/model/results.js";
import { checkReasons } from "../../src/report/reasons.js";
import {
  type Misbehaviour,
  startTestApiServer,
  type TestApiServer,
  taskYaml,
} from "../support/test-api-server.js";

const reasonsOf = (check: CheckResult | undefined) => (check ? checkReasons(check) : []);

// Failure vs error: a cluster that refuses, stalls or answers garbage while a check reads it
// stops grading with exit 3 and one line per cause; it is never a failed check scored 0.

let server: TestApiServer;
let dir: string;
let pods: LoadedTask;
let widgets: LoadedTask;

async function load(id: string, resource: string): Promise<LoadedTask> {
  await mkdir(join(dir, id), { recursive: true });
  await writeFile(join(dir, id, "task.yaml"), taskYaml(id, resource));
  const result = await loadTask(join(dir, id, "task.yaml"), expressionChecker);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.loaded;
}

beforeAll(async () => {
  server = await startTestApiServer();
  dir = await mkdtemp(join(tmpdir(), "kubedrill-api-errors-"));
  pods = await load("web-pod", "{ kind: Pod, name: web }");
  widgets = await load("web-widget", "{ apiVersion: example.com/v1, kind: Widget, name: web }");
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Grades with a short request timeout; returns the error grading stopped with. */
async function gradeError(mode: Misbehaviour | Misbehaviour[], tasks = [pods]): Promise<KubedrillError> {
  server.set(...[mode].flat());
  const api = KubeApi.load({ kubeconfig: server.kubeconfig, timeoutMs: 300 });
  const error = await grade(tasks, { api, context: api.contextName }, 100).then(
    (report) => new Error(`graded instead of failing: ${JSON.stringify(report.tasks[0]?.checks)}`),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(KubedrillError);
  return error as KubedrillError;
}

describe("cluster errors while checking", () => {
  it("a cluster that answers grades normally (the server is a fair stand-in)", async () => {
    server.set("ok");
    const api = KubeApi.load({ kubeconfig: server.kubeconfig, timeoutMs: 300 });
    const report = await grade([pods], { api, context: api.contextName }, 100);
    expect(reasonsOf(report.tasks[0]?.checks[0])).toEqual(["Pod web not found in namespace web-pod"]);
  });

  const cases: [Misbehaviour, string, RegExp][] = [
    [
      "401",
      "refused",
      /^cluster "test-api" refused GET \/api\/v1\/namespaces\/web-pod\/pods\/web \(401 Unauthorized: Unauthorized\): the credentials are not accepted — next: renew/,
    ],
    [
      "403",
      "refused",
      /^cluster "test-api" refused GET \/api\/v1\/namespaces\/web-pod\/pods\/web \(403 Forbidden\): pods is forbidden: User "learner" cannot list .* — next: use a context/,
    ],
    [
      "500",
      "server",
      /^cluster "test-api" failed GET \/api\/v1\/namespaces\/web-pod\/pods\/web \(500 InternalError\): etcdserver: request timed out — next: /,
    ],
    [
      "slow",
      "timeout",
      /^cluster "test-api" at https:\/\/127\.0\.0\.1:\d+ gave no answer to GET \/api\/v1\/namespaces\/web-pod\/pods\/web within 300ms — next: /,
    ],
    [
      "truncated",
      "garbage",
      /^cluster "test-api" answered GET \/api\/v1\/namespaces\/web-pod\/pods\/web with something that is not complete JSON \("\{"kind":"PodList",.*", 61 bytes\) — next: /,
    ],
    [
      "closed",
      "closed",
      /^cluster "test-api" at https:\/\/127\.0\.0\.1:\d+ closed the connection during GET \/api\/v1\/namespaces\/web-pod\/pods\/web \(ECONNRESET\) — next: /,
    ],
  ];

  for (const [mode, fault, message] of cases) {
    it(`${mode}: exit 3 with one line naming the request, not a failed check`, async () => {
      const error = await gradeError(mode);
      expect(error.exitCode).toBe(ExitCode.cluster);
      expect(error.message.split("\n")).toHaveLength(1);
      expect(error.message).toMatch(message);
      // The request error itself, as the API client classified it.
      server.set(mode);
      const api = KubeApi.load({ kubeconfig: server.kubeconfig, timeoutMs: 300 });
      const direct = await api.list("v1", "Pod", "web-pod").catch((err: unknown) => err);
      expect(direct).toBeInstanceOf(ClusterRequestError);
      expect((direct as ClusterRequestError).fault).toBe(fault);
    });
  }

  it("a 404 for a whole API group is a task problem (exit 2) naming the kind and group", async () => {
    const error = await gradeError("group404", [widgets]);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'cluster "test-api" does not serve example.com/v1 (404 for the whole API group), so it has no kind Widget — next: check the task\'s apiVersion and kind (kubectl api-resources lists what this cluster serves), or install the CRD it needs',
    );
    const api = KubeApi.load({ kubeconfig: server.kubeconfig });
    await expect(api.resource("example.com/v1", "Widget")).rejects.toBeInstanceOf(KindNotServedError);
  });

  it("several tasks with different causes: one line per cause, exit 3 wins", async () => {
    const error = await gradeError(["403", "group404"], [pods, widgets, pods]);
    expect(error.exitCode).toBe(ExitCode.cluster);
    const lines = error.message.split("\nkubedrill: ");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^cluster "test-api" refused GET .* \(403 Forbidden\)/);
    expect(lines[1]).toMatch(/^cluster "test-api" does not serve example\.com\/v1/);
  });
});

describe("exec credential plugins", () => {
  it("a plugin that never answers is killed after the limit and named: exit 3", async () => {
    const plugin = join(dir, "slow-login-plugin");
    await writeFile(
      plugin,
      "#!/bin/sh\n# waits in a child of its own, as a plugin that starts a helper does\nsleep 5\n",
      { mode: 0o755 },
    );
    const kubeconfig = join(dir, "exec-kubeconfig");
    const config = JSON.parse(await readFile(server.kubeconfig, "utf8"));
    config.users = [
      { name: "learner", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin } } },
    ];
    await writeFile(kubeconfig, JSON.stringify(config));
    server.set("ok");
    const api = KubeApi.load({ kubeconfig, execTimeoutMs: 300 });
    const error = await api.request("GET", "/version").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ClusterRequestError);
    expect(error).toMatchObject({
      fault: "timeout",
      exitCode: ExitCode.cluster,
      message: `the exec credential plugin "${plugin}" of context "test-api" gave no credential within 300ms`,
    });
  });
});
