import { describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import type { Task } from "../../src/catalog/schema.js";
import { sharedState } from "../../src/catalog/shared-state.js";
import { proveAll } from "../../src/engine/prove-all.js";

function loaded(id: string, extra: Partial<Task> = {}): LoadedTask {
  const task = {
    id,
    namespace: id,
    setup: [],
    checks: [{ title: "a pod", points: 1, resource: { kind: "Pod", name: "p" } }],
    solution: `kubectl -n ${id} run p --image=nginx`,
    ...extra,
  } as unknown as Task;
  return { task, dir: `/nowhere/${id}`, file: `/nowhere/${id}/task.yaml` };
}

describe("sharedState", () => {
  it("leaves a task that keeps to its namespace free to run beside others", async () => {
    expect(await sharedState(loaded("plain"))).toBeUndefined();
  });

  it.each([
    [
      "a node label in setup",
      { setup: [{ labelNode: { node: "w", labels: { a: "b" } } }] },
      "setup changes a node (labelNode)",
    ],
    [
      "a node file in setup",
      { setup: [{ writeNodeFile: { node: "w", path: "/x", content: "" } }] },
      "setup changes a node (writeNodeFile)",
    ],
    [
      "a node service setup stops with systemctl",
      { setup: [{ systemctl: { node: "w", unit: "kubelet", enabled: false, state: "stopped" } }] },
      "setup changes a node (systemctl)",
    ],
    [
      "a cluster-scoped object in setup",
      { setup: [{ apply: { manifest: { kind: "StorageClass" } } }] },
      "setup applies a StorageClass",
    ],
    [
      "a bundle setup installs",
      { setup: [{ install: { bundle: "gateway-api" } }] },
      "setup installs the bundle gateway-api",
    ],
    [
      "node files the solution writes",
      { cleanup: { nodeFiles: [{ node: "w", path: "/x" }] } },
      "its solution writes node files",
    ],
    [
      "node labels the solution adds",
      { cleanup: { nodeLabels: [{ key: "k" }] } },
      "its solution labels nodes",
    ],
    [
      "an etcd snapshot setup saves on a node",
      { setup: [{ etcdSnapshot: { node: "cp", path: "/opt/s.db" } }] },
      "setup changes a node (etcdSnapshot)",
    ],
    [
      "a control-plane manifest the solution edits",
      { cleanup: { editedNodeFiles: [{ node: "cp", path: "/etc/kubernetes/manifests/etcd.yaml" }] } },
      "its solution edits node files",
    ],
    [
      "a node folder the solution makes",
      { cleanup: { nodeFolders: [{ node: "cp", path: "/var/lib/etcd-from-backup" }] } },
      "its solution makes node folders",
    ],
    [
      "a control plane its reset restarts",
      { cleanup: { restartControlPlane: { node: "cp" } } },
      "its reset restarts the control plane",
    ],
    [
      "node taints the solution adds",
      { cleanup: { nodeTaints: [{ node: "w", key: "k" }] } },
      "its solution taints nodes",
    ],
    ["a node the solution cordons", { cleanup: { cordons: [{ node: "w" }] } }, "its solution cordons nodes"],
    [
      "a cluster-scoped object the solution creates",
      { cleanup: { objects: [{ kind: "StorageClass", name: "fast" }] } },
      "its solution creates a StorageClass, which is cluster-scoped",
    ],
    [
      "kubectl taint node in the solution",
      { solution: "kubectl taint node w a=b:NoSchedule" },
      "a solution changes a node with kubectl",
    ],
    [
      "a check on a cluster-scoped kind that changes every namespace",
      { checks: [{ title: "pc", points: 1, resource: { kind: "PriorityClass", name: "p" } }] },
      "it checks a PriorityClass, which is cluster-scoped",
    ],
    [
      "a node change beside a volume of its own",
      {
        setup: [{ apply: { manifest: { kind: "PersistentVolume" } } }, { cordonNode: { node: "w" } }],
      },
      "setup changes a node (cordonNode)",
    ],
  ])("runs a task alone for %s", async (_what, extra, reason) => {
    expect(await sharedState(loaded("t", extra as Partial<Task>))).toEqual({ scope: "cluster", reason });
  });

  it.each([
    [
      "a volume setup applies",
      { setup: [{ apply: { manifest: { kind: "PersistentVolume" } } }] },
      "setup applies a PersistentVolume",
    ],
    [
      "a CustomResourceDefinition the solution creates",
      { cleanup: { objects: [{ kind: "CustomResourceDefinition", name: "a.example.com" }] } },
      "its solution creates a CustomResourceDefinition, which is cluster-scoped",
    ],
    [
      "a check on a volume",
      { checks: [{ title: "pv", points: 1, resource: { kind: "PersistentVolume", name: "v" } }] },
      "it checks a PersistentVolume, which is cluster-scoped",
    ],
  ])(
    "runs a task beside namespace-bound ones, one of its kind at a time, for %s",
    async (_what, extra, reason) => {
      expect(await sharedState(loaded("t", extra as Partial<Task>))).toEqual({ scope: "objects", reason });
    },
  );
});

describe("proveAll", () => {
  it("proves namespace-bound tasks side by side up to jobs, the others alone, and answers in catalog order", async () => {
    const tasks = [
      loaded("a"),
      loaded("node", { cleanup: { nodeLabels: [{ key: "k" }] } }),
      loaded("b"),
      loaded("c"),
      loaded("d"),
    ];
    let running = 0;
    const seen: { id: string; alongside: number }[] = [];
    const results = await proveAll(tasks, 2, async ({ task }) => {
      running++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push({ id: task.id, alongside: running });
      running--;
      return task.id;
    });
    expect(results).toEqual(["a", "node", "b", "c", "d"]);
    expect(Math.max(...seen.map((s) => s.alongside))).toBe(2);
    expect(seen.find((s) => s.id === "node")).toEqual({ id: "node", alongside: 1 });
  });

  it("with proveAlone, proves the shared-state tasks with it, one by one, while the others run", async () => {
    const tasks = [
      loaded("a"),
      loaded("n1", { cleanup: { nodeLabels: [{ key: "k" }] } }),
      loaded("b"),
      loaded("n2", { cleanup: { nodeLabels: [{ key: "k" }] } }),
    ];
    let alone = 0;
    let maxAlone = 0;
    const events: string[] = [];
    const results = await proveAll(
      tasks,
      1,
      async ({ task }) => {
        events.push(`start ${task.id}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return `shared:${task.id}`;
      },
      [
        async ({ task }) => {
          alone++;
          maxAlone = Math.max(maxAlone, alone);
          events.push(`start ${task.id}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
          alone--;
          return `own:${task.id}`;
        },
      ],
    );
    expect(results).toEqual(["shared:a", "own:n1", "shared:b", "own:n2"]);
    expect(maxAlone).toBe(1);
    // Both start before either pool has finished its first task: they run at the same time.
    expect(events.slice(0, 2).sort()).toEqual(["start a", "start n1"]);
  });

  it("proves tasks with cluster-scoped objects of their own one by one, beside the namespace-bound ones", async () => {
    const volume = { cleanup: { objects: [{ kind: "PersistentVolume", name: "v" }] } } as Partial<Task>;
    const tasks = [loaded("v1", volume), loaded("a"), loaded("v2", volume), loaded("b")];
    let volumes = 0;
    let maxVolumes = 0;
    let running = 0;
    let maxRunning = 0;
    const results = await proveAll(tasks, 2, async ({ task }) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (task.id.startsWith("v")) volumes++;
      maxVolumes = Math.max(maxVolumes, volumes);
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (task.id.startsWith("v")) volumes--;
      running--;
      return task.id;
    });
    expect(results).toEqual(["v1", "a", "v2", "b"]);
    expect(maxVolumes).toBe(1);
    // Two pool workers and the volume lane: three at once.
    expect(maxRunning).toBe(3);
  });

  it("with two clusters for the shared-state tasks, each proves one at a time and takes the next when free", async () => {
    const node = { cleanup: { nodeLabels: [{ key: "k" }] } } as Partial<Task>;
    const tasks = ["n1", "n2", "n3", "n4"].map((id) => loaded(id, node));
    const busy = new Map<string, number>();
    let othersDone = 0;
    let release = () => {};
    const n1Held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const on =
      (cluster: string) =>
      async ({ task }: LoadedTask) => {
        busy.set(cluster, (busy.get(cluster) ?? 0) + 1);
        expect(busy.get(cluster)).toBe(1);
        // n1 holds its cluster until the other three are proved.
        if (task.id === "n1") await n1Held;
        else await new Promise((resolve) => setTimeout(resolve, 1));
        if (task.id !== "n1" && ++othersDone === 3) release();
        busy.set(cluster, (busy.get(cluster) ?? 0) - 1);
        return `${cluster}:${task.id}`;
      };
    const results = await proveAll(tasks, 2, async () => "shared", [on("a"), on("b")]);
    // a is held by the slow n1; b proves the other three meanwhile.
    expect(results).toEqual(["a:n1", "b:n2", "b:n3", "b:n4"]);
  });
});
