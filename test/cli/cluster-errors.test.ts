import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApiServer, type TestApiServer, taskYaml } from "../support/test-api-server.js";

// The built CLI against a local HTTPS server that misbehaves on the graded read: what a
// learner sees is one line and exit 3 (exit 2 for a kind the cluster does not serve).

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(repo, "dist", "cli", "main.js");

let server: TestApiServer;
let scratch: string;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  server = await startTestApiServer();
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-cluster-errors-"));
  for (const [id, resource] of [
    ["web-pod", "{ kind: Pod, name: web }"],
    ["web-widget", "{ apiVersion: example.com/v1, kind: Widget, name: web }"],
  ] as const) {
    await mkdir(join(scratch, "tasks", id), { recursive: true });
    await writeFile(join(scratch, "tasks", id, "task.yaml"), taskYaml(id, resource));
  }
});
afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const kubedrill = (...args: string[]) =>
  execa("node", [cli, "--kubeconfig", server.kubeconfig, "--tasks", join(scratch, "tasks"), ...args], {
    reject: false,
    env: { NO_COLOR: "1", HOME: scratch, XDG_STATE_HOME: join(scratch, "state") },
  });

describe("kubedrill check against a cluster that misbehaves", () => {
  it("403 on the graded read: one line naming the refusal, exit 3, no score", async () => {
    server.set("403");
    const result = await kubedrill("check", "web-pod");
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      // web-pod's checks name the pod: it is read by name.
      /^kubedrill: cluster "test-api" refused GET \/api\/v1\/namespaces\/web-pod\/pods\/web \(403 Forbidden\): pods is forbidden: .* — next: /,
    );
  });

  it("a dropped connection and a 500 in grade: exit 3, one line", async () => {
    for (const mode of ["closed", "500"] as const) {
      server.set(mode);
      const result = await kubedrill("grade", "web-pod");
      expect(result.exitCode).toBe(3);
      expect(result.stderr.split("\n")).toHaveLength(1);
    }
  });

  it("a kind whose API group is not served: exit 2, naming kind and group", async () => {
    server.set("group404");
    const result = await kubedrill("check", "web-widget");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /does not serve example\.com\/v1 \(404 for the whole API group\), so it has no kind Widget/,
    );
  });

  it("a cluster that answers: the check fails with its reason, exit 1", async () => {
    server.set("ok");
    const result = await kubedrill("check", "web-pod");
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Pod web not found in namespace web-pod");
  });
});
