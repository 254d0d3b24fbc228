import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { cleanupPlan } from "../../src/engine/cleanup-plan.js";
import { editedContent, nearestLine, undoneContent } from "../../src/engine/edit-node-file.js";
import { copyBeforeEdit, resetTask, startTask, uidsAnnotation } from "../../src/engine/setup.js";
import { ClusterRequestError, SetupError } from "../../src/errors.js";
import { FakeCluster, FakeNodes, servedKinds } from "../support/fake-cluster.js";

// The local cluster's kube-scheduler.yaml, as `kubedrill node exec kubedrill-control-plane --
// cat /etc/kubernetes/manifests/kube-scheduler.yaml` printed it (its ports are this cluster's).
const manifest = readFileSync(new URL("../fixtures/kube-scheduler.yaml", import.meta.url), "utf8");
const node = "kubedrill-control-plane";
const path = "/etc/kubernetes/manifests/kube-scheduler.yaml";
const find = "- --kubeconfig=/etc/kubernetes/scheduler.conf";
const broken = "- --kubeconfig=/etc/kubernetes/kube-scheduler.conf";

const task = taskSchema.parse({
  id: "edit-drill",
  title: "t",
  domain: "troubleshooting",
  difficulty: "easy",
  minutes: 5,
  namespace: "edit-drill",
  description: "d",
  setup: [{ editNodeFile: { node: "{{controlPlane}}", path, replace: [{ find, with: broken }] } }],
  checks: [{ title: "t", resource: { kind: "Pod", name: "web" } }],
  solution: "true",
});
const loaded: LoadedTask = { task, dir: "/nonexistent", file: "/nonexistent/task.yaml" };
const vars = { controlPlane: node, namespace: "edit-drill", taskId: "edit-drill" };

describe("setup step editNodeFile", () => {
  let cluster: FakeCluster;
  let nodes: FakeNodes;
  const env = () => ({ cluster, nodes, vars });

  beforeEach(() => {
    cluster = new FakeCluster(servedKinds);
    nodes = new FakeNodes();
    nodes.files.set(`${node}:${path}`, manifest);
  });

  it("replaces the text where it is, leaving the rest of the file (its per-cluster port) as it was", async () => {
    await startTask(loaded, env());
    const edited = nodes.files.get(`${node}:${path}`) ?? "";
    expect(edited).toContain(`    ${broken}\n`);
    expect(edited).toContain("- --authentication-kubeconfig=/etc/kubernetes/scheduler.conf\n");
    expect(edited).toContain("- --secure-port=44031\n");
    expect(edited.replace(broken, find)).toBe(manifest);
  });

  it("is in the cleanup plan as setup's node file, and reset puts back the content before start", async () => {
    expect(cleanupPlan(task, vars, [], servedKinds).nodeFiles).toEqual([{ node, path, fromSetup: true }]);
    await startTask(loaded, env());
    await startTask(loaded, env());
    await resetTask(loaded, env());
    expect(nodes.files.get(`${node}:${path}`)).toBe(manifest);
  });

  it("reset writes the file back before it empties the namespace: the component comes back first", async () => {
    await startTask(loaded, env());
    await cluster.apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "edit-drill" },
    });
    const write = nodes.write.bind(nodes);
    // A node is slower than the API: the write is logged when it is done.
    nodes.write = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await write(...args);
      cluster.writes.push(`write ${args[0]}:${args[1]}`);
    };
    const before = cluster.writes.length;
    await resetTask(loaded, env());
    const order = cluster.writes.slice(before).filter((w) => w.startsWith("write") || w.includes("Pod"));
    expect(order[0]).toBe(`write ${node}:${path}`);
    expect(order).toContain("delete every Pod in edit-drill");
  });

  it("refuses to start when the text is missing, naming what it wanted and the nearest line it found", async () => {
    nodes.files.set(`${node}:${path}`, manifest.replace(find, "- --kubeconfig=/etc/kubernetes/other.conf"));
    const error = await startTask(loaded, env()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).message).toBe(
      `setup of task edit-drill edits ${node}:${path}: want the text "${find}", found the nearest line is "- --kubeconfig=/etc/kubernetes/other.conf"`,
    );
  });

  it("takes back an earlier attempt's change that nobody undid before making it again", async () => {
    nodes.files.set(`${node}:${path}`, manifest.replace(find, broken));
    await startTask(loaded, env());
    expect(nodes.files.get(`${node}:${path}`)).toBe(manifest.replace(find, broken));
    await resetTask(loaded, env());
    expect(nodes.files.get(`${node}:${path}`)).toBe(manifest);
  });

  it("setup may end with the step that takes the API server down: the uids are recorded before it", async () => {
    const down = downWhenBroken(cluster, nodes);
    const breaking = taskSchema.parse({
      ...task,
      setup: [
        { apply: { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } } },
        ...task.setup,
      ],
    });
    await startTask({ ...loaded, task: breaking }, env());
    expect(down.isDown()).toBe(true);
    const ns = cluster.objects.find((o) => o.kind === "Namespace");
    expect(Object.keys(JSON.parse(ns?.metadata?.annotations?.[uidsAnnotation] ?? "{}"))).toEqual([
      "ConfigMap/c",
    ]);
  });

  it("reset brings back a file the learner deleted while the API is down, from the copy start kept on the node", async () => {
    const down = downWhenBroken(
      cluster,
      nodes,
      (content) => content === undefined || content.includes(broken),
    );
    await startTask(loaded, env());
    expect(nodes.files.get(`${node}:${copyBeforeEdit("edit-drill", path)}`)).toBe(manifest);
    nodes.files.delete(`${node}:${path}`);
    await resetTask(loaded, env());
    expect(nodes.files.get(`${node}:${path}`)).toBe(manifest);
    expect(down.readsWhileDown).toEqual([]);
    expect(nodes.files.has(`${node}:${copyBeforeEdit("edit-drill", path)}`)).toBe(false);
  }, 20_000); // reset holds /readyz ok for restartHoldMs after writing the manifest back

  it("waitApiServer ready: false ends setup once the old API server is gone, and fails with the answer if it stays", async () => {
    const down = downWhenBroken(cluster, nodes);
    const waiting = (timeout: string) =>
      taskSchema.parse({ ...task, setup: [...task.setup, { waitApiServer: { ready: false, timeout } }] });
    await startTask({ ...loaded, task: waiting("5s") }, env());
    expect(down.isDown()).toBe(true);
    await resetTask(loaded, env());
    cluster.notReady = async () => undefined; // an API server that does not go down
    const error = (await startTask({ ...loaded, task: waiting("1s") }, env()).catch(
      (e: unknown) => e,
    )) as SetupError;
    expect(error.message).toBe(
      "setup of task edit-drill waited 1s for the API server to stop answering on /readyz: it answers ok",
    );
  }, 20_000); // reset holds /readyz ok for restartHoldMs after writing the manifest back

  it("reset first takes setup's change back without the API, then waits for /readyz before it reads", async () => {
    const down = downWhenBroken(cluster, nodes);
    await startTask(loaded, env());
    expect(down.isDown()).toBe(true);
    await resetTask(loaded, env());
    expect(nodes.files.get(`${node}:${path}`)).toBe(manifest);
    expect(down.readsWhileDown).toEqual([]);
  }, 20_000); // reset holds /readyz ok for restartHoldMs after writing the manifest back

  it("refuses a file that does not exist", async () => {
    nodes.files.clear();
    const error = (await startTask(loaded, env()).catch((e: unknown) => e)) as SetupError;
    expect(error.message).toBe(`setup of task edit-drill edits ${node}:${path}, which does not exist`);
  });
});

/** The API server is down (no answer) while the node file holds the broken flag, as on the local cluster. */
function downWhenBroken(
  cluster: FakeCluster,
  nodes: FakeNodes,
  brokenBy = (content: string | undefined) => (content ?? "").includes(broken),
) {
  const isDown = () => brokenBy(nodes.files.get(`${node}:${path}`));
  const readsWhileDown: string[] = [];
  const refused = () => new ClusterRequestError("unreachable", "the API server is not answering");
  for (const method of [
    "list",
    "get",
    "apply",
    "mergePatch",
    "strategicPatch",
    "delete",
    "servedKinds",
    "deleteCollection",
  ] as const) {
    const real = (cluster[method] as (...args: unknown[]) => Promise<unknown>).bind(cluster);
    (cluster as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      if (isDown()) {
        readsWhileDown.push(method);
        throw refused();
      }
      return real(...args);
    };
  }
  cluster.notReady = async () => (isDown() ? "kube-apiserver exited: unknown flag" : undefined);
  return { isDown, readsWhileDown };
}

describe("undoneContent", () => {
  it("puts each find back where its with still is, last replacement first: editedContent undone", () => {
    expect(
      undoneContent("c=1\na=2\n", [
        { find: "a=1", with: "a=2" },
        { find: "a=2\nb", with: "c" },
      ]),
    ).toBe("a=1\nb=1\na=1\n"); // what editedContent made "c=1\na=2\n" of
  });

  it("leaves a replacement it cannot tell from the file's own text: an empty with, or one inside find", () => {
    expect(undoneContent("x\n", [{ find: "y", with: "" }])).toBe("x\n");
    expect(undoneContent("--v=2 --v\n", [{ find: "--v=2", with: "--v" }])).toBe("--v=2 --v\n");
  });
});

describe("editedContent", () => {
  it("makes the replacements in order, each of every occurrence", () => {
    expect(
      editedContent("a=1\nb=1\na=1\n", [
        { find: "a=1", with: "a=2" },
        { find: "a=2\nb", with: "c" },
      ]),
    ).toEqual({ content: "c=1\na=2\n" });
  });

  it("names the first replacement whose text is missing, also one an earlier replacement removed", () => {
    expect(
      editedContent("a=1\n", [
        { find: "a=1", with: "a=2" },
        { find: "a=1", with: "a=3" },
      ]),
    ).toEqual({ missing: { find: "a=1", with: "a=3" } });
  });

  it("takes find literally: dots and slashes are not a pattern", () => {
    expect(editedContent("x.y\n", [{ find: "x.y", with: "z" }])).toEqual({ content: "z\n" });
    expect(editedContent("xzy\n", [{ find: "x.y", with: "z" }])).toEqual({
      missing: { find: "x.y", with: "z" },
    });
  });
});

describe("nearestLine", () => {
  it("is the line with the longest common start, ignoring indentation; none shares three characters", () => {
    expect(nearestLine(manifest, "    - --kubeconfig=/etc/kubernetes/x.conf")).toBe(
      "- --kubeconfig=/etc/kubernetes/scheduler.conf",
    );
    expect(nearestLine(manifest, "zzz")).toBeUndefined();
  });
});
