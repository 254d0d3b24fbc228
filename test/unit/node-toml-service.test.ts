import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { activeSince } from "../../src/cluster/node-access/exec.js";
import { LocalNodeAccess } from "../../src/cluster/node-access/local.js";
import { runChecks } from "../../src/engine/checks.js";
import type { ClusterReader, KubeObject } from "../../src/engine/ports.js";
import { resolveVars, unknownVariable } from "../../src/engine/vars.js";

const node = "kubedrill-worker";
// The local cluster's /etc/containerd/config.toml (src/cluster/local/nodes.ts), as kind's in these parts.
const config = (value: string, extra = "") => `version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = ${value}
${extra}`;

async function nodeWith(files: Record<string, string>) {
  const nodesDir = await mkdtemp(join(tmpdir(), "kubedrill-toml-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(nodesDir, node, path, ".."), { recursive: true });
    await writeFile(join(nodesDir, node, path), content);
  }
  return { nodesDir, nodes: new LocalNodeAccess(nodesDir) };
}

const worker: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: node } };
const cluster: ClusterReader = {
  resource: async () => ({ namespaced: false }),
  list: async (_v, kind) => (kind === "Node" ? [worker] : []),
  get: async (_v, kind, name) => (kind === "Node" && name === node ? worker : undefined),
};
const task = (vars: Task["vars"], checks: Task["checks"] = []): Task =>
  ({ id: "t", namespace: "ns", vars, checks }) as unknown as Task;

describe("nodeFile checks with format: toml", () => {
  const check = {
    title: "config.toml sets SystemdCgroup = true",
    points: 1,
    nodeFile: { node, path: "/etc/containerd/config.toml" },
    format: "toml",
    expect:
      'object.plugins["io.containerd.grpc.v1.cri"].containerd.runtimes.runc.options.SystemdCgroup == true',
  } as Task["checks"][number];
  const grade = async (content: string) => {
    const { nodes } = await nodeWith({ "etc/containerd/config.toml": content });
    const [result] = await runChecks(task(undefined, [check]), { cluster, nodes, vars: {}, uids: {} });
    return result;
  };

  it("grade the document, whatever way TOML writes the same table", async () => {
    expect((await grade(config("true")))?.passed).toBe(true);
    const inline = config("true").replace(
      /\n {2}\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options\]\n {4}SystemdCgroup = true/,
      "\n  options = { SystemdCgroup = true }",
    );
    expect(inline).toContain("options = { SystemdCgroup = true }");
    expect((await grade(inline))?.passed).toBe(true);
  });

  it("say found and wanted for a string where a boolean belongs", async () => {
    expect((await grade(config('"true"')))?.mismatches).toEqual([
      {
        path: 'plugins["io.containerd.grpc.v1.cri"].containerd.runtimes.runc.options.SystemdCgroup',
        found: "true",
        want: true,
      },
    ]);
  });

  it("fail a file TOML rejects with the parser's reason: a key given twice in one table", async () => {
    const [mismatch] = (await grade(config("false", "    SystemdCgroup = true\n")))?.mismatches ?? [];
    expect(mismatch?.path).toBe(`${node}:/etc/containerd/config.toml`);
    expect(mismatch?.message).toMatch(/^is not valid TOML: .+/);
    expect(mismatch?.message).not.toContain("\n");
  });
});

describe("modified and nodeService variables", () => {
  const vars = {
    configWritten: { nodeFile: { node, path: "/etc/containerd/config.toml" }, modified: true },
    containerdStarted: { nodeService: { node, unit: "containerd" } },
  } as Task["vars"];

  it("read a file's modification time and when the simulated systemctl last started the unit", async () => {
    const { nodesDir, nodes } = await nodeWith({
      "etc/containerd/config.toml": config("true"),
      "var/lib/kubedrill/services/containerd.active": "active\n",
    });
    await utimes(join(nodesDir, node, "etc/containerd/config.toml"), 1_800_000_000, 1_800_000_000);
    const started = join(nodesDir, node, "var/lib/kubedrill/services/containerd.active");
    await utimes(started, 1_800_000_060, 1_800_000_060);
    const read = await resolveVars(task(vars), cluster, nodes);
    expect(read.configWritten).toBe("2027-01-15T08:00:00.000Z");
    expect(read.containerdStarted).toBe("2027-01-15T08:01:00.000Z");
  });

  it("leave the service unset while it is inactive or was never restarted, with the reason", async () => {
    const stopped = await nodeWith({ "var/lib/kubedrill/services/containerd.active": "inactive\n" });
    const never = await nodeWith({ "etc/containerd/config.toml": "" });
    for (const { nodes } of [stopped, never]) {
      const read = await resolveVars(task(vars), cluster, nodes);
      expect(unknownVariable("{{containerdStarted}}", read)).toBe(
        `{{containerdStarted}} is not known yet (containerd on node ${node} is inactive, or has not been (re)started since the node booted)`,
      );
    }
  });

  it("read systemd's answer on kind and minikube", () => {
    expect(activeSince("ActiveState=active\nActiveEnterTimestamp=Sun 2026-12-06 00:20:01 UTC\n")).toEqual(
      new Date("2026-12-06T00:20:01Z"),
    );
    expect(activeSince("ActiveState=inactive\nActiveEnterTimestamp=Sun 2026-12-06 00:20:01 UTC\n")).toBe(
      undefined,
    );
    expect(activeSince("ActiveState=active\nActiveEnterTimestamp=\n")).toBe(undefined);
  });

  it("name an unset time in a resource check's expect instead of failing obscurely", async () => {
    const { nodes } = await nodeWith({ "etc/containerd/config.toml": config("true") });
    const check = {
      title: "containerd was restarted after the change",
      points: 1,
      resource: { kind: "Node", name: node },
      expect: 'timestamp("{{containerdStarted}}") >= timestamp("{{configWritten}}")',
    } as Task["checks"][number];
    const t = task(vars, [check]);
    const read = await resolveVars(t, cluster, nodes);
    const [result] = await runChecks(t, { cluster, nodes, vars: read, uids: {} });
    expect(result?.mismatches[0]?.message).toMatch(
      /^Node kubedrill-worker: \{\{containerdStarted\}\} is not known yet/,
    );
  });
});
