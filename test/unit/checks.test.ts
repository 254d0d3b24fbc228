import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { runChecks } from "../../src/engine/checks.js";
import type { ClusterReader, KubeObject, NodeAccess } from "../../src/engine/ports.js";
import { ClusterRequestError, KindNotServedError } from "../../src/errors.js";
import redisPod from "../fixtures/pod-redis.json" with { type: "json" };

/** Plain objects in place of the API, counting reads. objects() may change between reads. */
function clusterOf(objects: () => KubeObject[]) {
  const reads: string[] = [];
  const reader: ClusterReader = {
    resource: async (_v, kind) => ({ namespaced: kind !== "Node" && kind !== "Namespace" }),
    list: async (_v, kind, _ns, selector) => {
      reads.push(`list ${kind}`);
      const [key, value] = (selector ?? "").split("=");
      return objects().filter((o) => o.kind === kind && (!key || o.metadata?.labels?.[key] === value));
    },
    get: async (_v, kind, name) => {
      reads.push(`get ${kind}/${name}`);
      return objects().find((o) => o.kind === kind && o.metadata?.name === name);
    },
  };
  return { reader, reads };
}

const task = (checks: Task["checks"]): Task => ({ id: "t", namespace: "ns", checks }) as unknown as Task;
const pod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: "web" }, creationTimestamp: "2020-01-01T00:00:00Z" },
  ...extra,
});
const env = (reader: ClusterReader, more: Partial<Parameters<typeof runChecks>[1]> = {}) => ({
  cluster: reader,
  vars: {},
  uids: {},
  ...more,
});

describe("runChecks › resource checks", () => {
  it("names the missing variable of a resource check and reads nothing for it", async () => {
    const { reader, reads } = clusterOf(() => []);
    const [result] = await runChecks(
      task([{ title: "Its node is labeled", points: 2, resource: { kind: "Node", name: "{{podNode}}" } }]),
      env(reader),
    );
    expect(result?.passed).toBe(false);
    expect(result?.mismatches).toEqual([
      {
        path: "",
        message: "Node {{podNode}}: {{podNode}} is not known yet (the object it is read from is missing)",
      },
    ]);
    expect(reads).toEqual([]);
  });

  it("checks of one kind in one namespace share one LIST", async () => {
    const { reader, reads } = clusterOf(() => [pod("web", { status: { phase: "Running" } })]);
    const results = await runChecks(
      task([
        { title: "a web pod exists", points: 1, resource: { kind: "Pod", selector: "app=web" } },
        {
          title: "every pod runs",
          points: 1,
          resource: { kind: "Pod" },
          expect: 'object.status.phase == "Running"',
        },
      ]),
      env(reader),
    );
    expect(results.map((r) => r.earned)).toEqual([1, 1]);
    expect(reads).toEqual(["list Pod", "list Pod"]);
  });

  it("checks of one object by name share one GET, which etcd answers where a LIST may come from a stale cache", async () => {
    const { reader, reads } = clusterOf(() => [pod("web", { status: { phase: "Running" } })]);
    const results = await runChecks(
      task([
        { title: "web exists", points: 1, resource: { kind: "Pod", name: "web" } },
        {
          title: "web runs",
          points: 1,
          resource: { kind: "Pod", name: "web" },
          expect: 'object.status.phase == "Running"',
        },
      ]),
      env(reader),
    );
    expect(results.map((r) => r.earned)).toEqual([1, 1]);
    expect(reads).toEqual(["get Pod/web"]);
  });

  it("match finds list items by name and reports the field that differs as data", async () => {
    const { reader } = clusterOf(() => [redisPod as KubeObject]);
    const [result] = await runChecks(
      task([
        {
          title: "redis uses the image redis",
          points: 2,
          resource: { kind: "Pod", name: "redis" },
          match: { spec: { containers: [{ name: "redis", image: "redis" }] } },
        },
      ]),
      env(reader),
    );
    expect(result).toMatchObject({ passed: false, earned: 0 });
    expect(result?.mismatches).toEqual([
      { path: "spec.containers[redis].image", found: "redis123", want: "redis" },
    ]);
  });

  it("a missing object is one mismatch that says where it was looked for", async () => {
    const { reader } = clusterOf(() => []);
    const [result] = await runChecks(
      task([{ title: "x", points: 1, resource: { kind: "Pod", name: "web" } }]),
      env(reader),
    );
    expect(result?.mismatches).toEqual([{ path: "", message: "Pod web not found in namespace ns" }]);
  });

  it("absent passes when nothing is found and fails while the object exists", async () => {
    let objects = [pod("web")];
    const { reader } = clusterOf(() => objects);
    const check = { title: "web is gone", points: 1, resource: { kind: "Pod", name: "web" }, absent: true };
    const [present] = await runChecks(task([check]), env(reader));
    expect(present?.mismatches).toEqual([
      { path: "", message: "Pod web in namespace ns exists, want it gone" },
    ]);
    objects = [];
    const [gone] = await runChecks(task([check]), env(reader));
    expect(gone?.passed).toBe(true);
  });

  it("a selector grades every object, naming the one that fails; with match: any one passing is enough", async () => {
    const { reader } = clusterOf(() => [
      pod("a", { spec: { nodeName: "n1" } }),
      pod("b", { spec: { nodeName: "n2" } }),
    ]);
    const check = { title: "on n1", points: 1, match: { spec: { nodeName: "n1" } } };
    const [all, any] = await runChecks(
      task([
        { ...check, resource: { kind: "Pod", selector: "app=web" } },
        { ...check, resource: { kind: "Pod", selector: "app=web", match: "any" as const } },
      ]),
      env(reader),
    );
    expect(all?.mismatches).toEqual([{ path: "spec.nodeName", found: "n2", want: "n1", object: "b" }]);
    expect(any?.passed).toBe(true);
  });

  it("a read the API refuses is the check's error, not a mismatch", async () => {
    const reader: ClusterReader = {
      resource: async () => ({ namespaced: true }),
      list: async () => {
        throw new Error("pods is forbidden");
      },
      get: async () => undefined,
    };
    const [result] = await runChecks(
      task([{ title: "x", points: 1, resource: { kind: "Pod", selector: "a=b" } }]),
      env(reader),
    );
    expect(result).toMatchObject({ passed: false, mismatches: [], error: "pods is forbidden" });
  });
});

describe("runChecks › files", () => {
  it("answer files: missing, equals, pattern and a manifest matched as an object", async () => {
    const answers = await mkdtemp(join(tmpdir(), "kubedrill-answers-"));
    await writeFile(join(answers, "count.txt"), "3\n");
    await writeFile(join(answers, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\n");
    const { reader } = clusterOf(() => []);
    const results = await runChecks(
      task([
        { title: "missing", points: 1, file: "none.txt" },
        { title: "equals", points: 1, file: "count.txt", equals: "4" },
        { title: "pattern", points: 1, file: "count.txt", pattern: "^3$" },
        { title: "manifest", points: 1, file: "pod.yaml", match: { kind: "Pod", metadata: { name: "web" } } },
      ]),
      env(reader, { vars: { answers } }),
    );
    expect(results.map((r) => r.mismatches)).toEqual([
      [{ path: "", message: `answer file ${join(answers, "none.txt")} not found` }],
      [{ path: "content", found: "3", want: "4" }],
      [],
      [{ path: "metadata.name", found: "redis", want: "web" }],
    ]);
  });

  it("nodeFile with match reads the file as a manifest: a YAML list in flow or block style is the same list", async () => {
    // The local cluster's `kubedrill node exec kubedrill-worker -- cat /var/lib/kubelet/config.yaml`, and two edits of it.
    const config = readFileSync(new URL("../fixtures/kubelet-config.yaml", import.meta.url), "utf8");
    const files: Record<string, string> = {
      "/block.yaml": config,
      "/flow.yaml": config.replace("clusterDNS:\n- 10.96.0.10", "clusterDNS: [ 10.96.0.10 ]"),
      "/scalar.yaml": config.replace("clusterDNS:\n- 10.96.0.10", "clusterDNS: 10.96.0.10"),
      "/broken.yaml": "kind: [",
    };
    const nodes = { driver: "test", read: async (_n: string, path: string) => files[path] } as NodeAccess;
    const { reader } = clusterOf(() => []);
    const check = (path: string) => ({
      title: path,
      points: 1,
      nodeFile: { node: "w", path },
      match: { kind: "KubeletConfiguration", clusterDNS: ["10.96.0.10"] },
      lists: "exact" as const,
    });
    const results = await runChecks(
      task(["/block.yaml", "/flow.yaml", "/scalar.yaml", "/broken.yaml"].map(check)),
      env(reader, { nodes }),
    );
    expect(results.map((r) => r.passed)).toEqual([true, true, false, false]);
    expect(results[2]?.mismatches).toEqual([
      { path: "clusterDNS", found: "10.96.0.10", want: ["10.96.0.10"] },
    ]);
    expect(results[3]?.mismatches[0]?.message).toMatch(/^node file is not a valid manifest: w:\/broken.yaml/);
  });

  it("nodeFile reads through node access; a missing file and missing node access say so", async () => {
    const files: Record<string, string> = { "/etc/kubernetes/manifests/web.yaml": "name: web" };
    const nodes = { driver: "test", read: async (_n: string, path: string) => files[path] } as NodeAccess;
    const { reader } = clusterOf(() => []);
    const checks = task([
      {
        title: "there",
        points: 1,
        nodeFile: { node: "w", path: "/etc/kubernetes/manifests/web.yaml" },
        pattern: "web",
      },
      { title: "absent", points: 1, nodeFile: { node: "w", path: "/etc/x" } },
    ]);
    const withNodes = await runChecks(checks, env(reader, { nodes }));
    expect(withNodes.map((r) => r.mismatches)).toEqual([
      [],
      [{ path: "", message: "/etc/x not found on node w" }],
    ]);
    const [without] = await runChecks(checks, env(reader));
    expect(without?.mismatches).toEqual([
      {
        path: "",
        message: "cannot read w:/etc/kubernetes/manifests/web.yaml: no node access for this cluster",
      },
    ]);
  });

  it("a reading that hangs fails the check as taking too long, with the limit", async () => {
    const nodes = { driver: "test", read: () => new Promise<string>(() => {}) } as unknown as NodeAccess;
    const { reader } = clusterOf(() => []);
    const [result] = await runChecks(
      task([{ title: "hangs", points: 1, nodeFile: { node: "w", path: "/etc/x" }, pattern: "x" }]),
      env(reader, { nodes, limitMs: 20 }),
    );
    expect(result).toMatchObject({
      passed: false,
      mismatches: [{ path: "", message: "took too long (limit 0.02 s)" }],
    });
  });
});

describe("runChecks › within", () => {
  const running = {
    title: "web runs",
    points: 1,
    resource: { kind: "Pod", name: "web" },
    expect: 'object.status.phase == "Running"',
  };

  it("an object that has been wrong for longer than `within` is read once and reported at once", async () => {
    const { reader, reads } = clusterOf(() => [pod("web", { status: { phase: "Pending" } })]);
    const waited: string[] = [];
    const [result] = await runChecks(
      task([{ ...running, within: "30s" }]),
      env(reader, { onWait: (titles) => waited.push(...titles) }),
    );
    expect(result?.passed).toBe(false);
    expect(reads).toEqual(["get Pod/web"]);
    expect(waited).toEqual([]);
  });

  it("an object that changed just now is read again until it passes; checks without `within` are read once", async () => {
    let readsOfWeb = 0;
    const now = new Date().toISOString();
    const objects = () => {
      readsOfWeb += 1;
      const phase = readsOfWeb >= 3 ? "Running" : "Pending";
      return [
        pod("web", { metadata: { name: "web", creationTimestamp: now }, status: { phase } }),
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "conf" } },
      ];
    };
    const { reader, reads } = clusterOf(objects);
    const waited: string[] = [];
    const [web, conf] = await runChecks(
      task([
        { ...running, within: "20s" },
        { title: "conf is gone", points: 1, resource: { kind: "ConfigMap", name: "conf" }, absent: true },
      ]),
      env(reader, { onWait: (titles) => waited.push(...titles) }),
    );
    expect(web?.passed).toBe(true);
    expect(waited).toEqual(["web runs"]);
    expect(conf?.passed).toBe(false);
    expect(reads.filter((r) => r === "get ConfigMap/conf")).toHaveLength(1);
    expect(reads.filter((r) => r === "get Pod/web").length).toBeGreaterThan(1);
  });

  it("a missing object is looked for again briefly (a mirror pod appearing), then reported", async () => {
    let readsOfPods = 0;
    const { reader } = clusterOf(() =>
      ++readsOfPods >= 3 ? [pod("web", { status: { phase: "Running" } })] : [],
    );
    const [appears] = await runChecks(task([{ ...running, within: "30s" }]), env(reader));
    expect(appears?.passed).toBe(true);
    const { reader: empty, reads } = clusterOf(() => []);
    const [never] = await runChecks(task([{ ...running, within: "30s" }]), env(empty));
    expect(never?.mismatches).toEqual([{ path: "", message: "Pod web not found in namespace ns" }]);
    // The grace is a second at 250 ms a reading, far below the 30 s of within.
    expect(reads.filter((r) => r === "get Pod/web").length).toBeLessThan(12);
  });
});

describe("runChecks › kinds the learner installs", () => {
  const notServed: ClusterReader = {
    resource: async (apiVersion, kind) => {
      throw new KindNotServedError(apiVersion, kind, `does not serve ${apiVersion}`);
    },
    list: async () => [],
    get: async () => undefined,
  };
  const backupCheck: Task["checks"] = [
    {
      title: "Backup nightly exists",
      points: 1,
      resource: { apiVersion: "ops.example.com/v1", kind: "Backup", name: "nightly" },
    },
  ] as Task["checks"];

  it("fails, not errs, while the CRD the cleanup names for its group is not installed", async () => {
    const withCrd = {
      ...task(backupCheck),
      cleanup: { objects: [{ kind: "CustomResourceDefinition", name: "backups.ops.example.com" }] },
    } as Task;
    const [result] = await runChecks(withCrd, env(notServed));
    expect(result?.passed).toBe(false);
    expect(result?.mismatches).toEqual([
      {
        path: "",
        message:
          "Backup is not served: CustomResourceDefinition backups.ops.example.com is not installed yet",
      },
    ]);
  });

  it("still stops grading for a kind no CRD of the cleanup defines (a broken task)", async () => {
    const otherGroup = {
      ...task(backupCheck),
      cleanup: { objects: [{ kind: "CustomResourceDefinition", name: "backups.example.com" }] },
    } as Task;
    await expect(runChecks(otherGroup, env(notServed))).rejects.toBeInstanceOf(KindNotServedError);
    await expect(runChecks(task(backupCheck), env(notServed))).rejects.toBeInstanceOf(KindNotServedError);
  });
});

describe("runChecks › apiServer: ready", () => {
  const down =
    "the API server of kubedrill-local is not answering; kube-apiserver on kubedrill-control-plane exited: Error: invalid argument";
  const apiTask = task([
    { title: "The API server answers", points: 2, apiServer: "ready" },
    { title: "Pod web exists", points: 1, resource: { kind: "Pod", name: "web" } },
  ]);

  const refused = new ClusterRequestError("unreachable", down);
  /** Every read refused, as when nothing listens on the API server's port. */
  const apiDownReader = (): ClusterReader => ({
    resource: async () => ({ namespaced: true }),
    list: async () => Promise.reject(refused),
    get: async () => Promise.reject(refused),
  });

  it("passes when /readyz answers ok, and the task's other checks read the cluster as usual", async () => {
    const { reader } = clusterOf(() => [pod("web")]);
    const results = await runChecks(apiTask, env({ ...reader, notReady: async () => undefined }));
    expect(results.map((r) => r.passed)).toEqual([true, true]);
  });

  it("fails with the reason while the API server gives no answer, and so do the other checks, instead of stopping", async () => {
    const [api, web] = await runChecks(apiTask, env({ ...apiDownReader(), notReady: async () => down }));
    expect(api?.passed).toBe(false);
    expect(api?.mismatches).toEqual([{ path: "/readyz", want: "ok", message: down }]);
    expect(web?.mismatches).toEqual([{ path: "", message: down }]);
  });

  it("asks again within its window: an API server restarting comes back", async () => {
    let asked = 0;
    const { reader } = clusterOf(() => []);
    const notReady = async () => (++asked < 3 ? down : undefined);
    const [api] = await runChecks(
      task([{ title: "The API server answers", points: 1, within: "5s", apiServer: "ready" }]),
      env({ ...reader, notReady }),
    );
    expect(api?.passed).toBe(true);
    expect(asked).toBe(3);
  });

  it("a task without an apiServer check still stops grading when the API gives no answer", async () => {
    const reader = apiDownReader();
    const error = await runChecks(
      task([{ title: "Pod web exists", points: 1, resource: { kind: "Pod", name: "web" } }]),
      env(reader),
    ).catch((e: unknown) => e);
    expect(error).toBe(refused);
  });
});
