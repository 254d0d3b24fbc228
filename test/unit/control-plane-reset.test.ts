import { beforeEach, describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { cleanupPlan } from "../../src/engine/cleanup-plan.js";
import { apiServerManifest, restartCopy } from "../../src/engine/control-plane.js";
import { copyBeforeEdit, resetTask, startTask } from "../../src/engine/setup.js";
import { SetupError } from "../../src/errors.js";
import { FakeCluster, FakeNodes, servedKinds } from "../support/fake-cluster.js";

// What an etcd restore task asks of setup and reset: a snapshot saved as a learner saves
// one, etcd's manifest written back without the API server, the restored folder removed,
// and the control plane restarted so that it forgets its caches.

const node = "kubedrill-control-plane";
const etcdManifest = "/etc/kubernetes/manifests/etcd.yaml";
const original = "    - --data-dir=/var/lib/etcd\n      path: /var/lib/etcd\n";
const restored = "    - --data-dir=/var/lib/etcd\n      path: /var/lib/etcd-from-backup\n";
const controllerManager = "/etc/kubernetes/manifests/kube-controller-manager.yaml";
const scheduler = "/etc/kubernetes/manifests/kube-scheduler.yaml";

const task = taskSchema.parse({
  id: "restore-drill",
  title: "t",
  domain: "architecture",
  difficulty: "hard",
  minutes: 5,
  namespace: "restore-drill",
  description: "d",
  setup: [{ etcdSnapshot: { node: "{{controlPlane}}", path: "/opt/snap.db" } }],
  cleanup: {
    editedNodeFiles: [{ node: "{{controlPlane}}", path: etcdManifest }],
    nodeFolders: [{ node: "{{controlPlane}}", path: "/var/lib/etcd-from-backup" }],
    restartControlPlane: { node: "{{controlPlane}}" },
  },
  checks: [{ title: "t", resource: { kind: "Pod", name: "web" } }],
  solution: "true",
});
const loaded: LoadedTask = { task, dir: "/nonexistent", file: "/nonexistent/task.yaml" };
const vars = { controlPlane: node, namespace: "restore-drill", taskId: "restore-drill" };

/** A node whose etcdctl saves a snapshot, and whose kubelet runs the API server while its manifest is there. */
class ControlPlane extends FakeNodes {
  readonly commands: string[][] = [];
  etcdctlFails = false;

  override async exec(_node: string, argv: string[]) {
    this.commands.push(argv);
    if (this.etcdctlFails) return { exitCode: 1, stdout: "", stderr: "Error: context deadline exceeded" };
    await this.write(node, argv.at(-1) as string, "a snapshot");
    return { exitCode: 0, stdout: "Snapshot saved", stderr: "" };
  }
}

// Each reset holds /readyz ok for restartHoldMs after the restart, and start resets first.
describe("resetting a restored etcd", { timeout: 60_000 }, () => {
  let cluster: FakeCluster;
  let nodes: ControlPlane;
  const env = () => ({ cluster, nodes, vars });
  const apiUp = () => nodes.files.has(`${node}:${apiServerManifest}`);
  let apiStops: number;
  /** The control-plane manifests in the folder while the API server was down. */
  let presentWhileDown: Set<string>;

  beforeEach(() => {
    cluster = new FakeCluster(servedKinds);
    nodes = new ControlPlane();
    nodes.files.set(`${node}:${etcdManifest}`, original);
    nodes.files.set(`${node}:${apiServerManifest}`, "kube-apiserver");
    nodes.files.set(`${node}:${controllerManager}`, "kube-controller-manager");
    nodes.files.set(`${node}:${scheduler}`, "kube-scheduler");
    apiStops = 0;
    presentWhileDown = new Set();
    cluster.notReady = async () => {
      if (apiUp()) return undefined;
      apiStops++;
      for (const m of [controllerManager, scheduler])
        if (nodes.files.has(`${node}:${m}`)) presentWhileDown.add(m);
      return "kube-apiserver is not running";
    };
  });

  it("setup saves the snapshot with etcdctl and kubeadm's etcd certificates; reset removes it", async () => {
    await startTask(loaded, env());
    expect(nodes.commands).toEqual([
      [
        "etcdctl",
        "--endpoints=https://127.0.0.1:2379",
        "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
        "--cert=/etc/kubernetes/pki/etcd/server.crt",
        "--key=/etc/kubernetes/pki/etcd/server.key",
        "snapshot",
        "save",
        "/opt/snap.db",
      ],
    ]);
    expect(nodes.files.get(`${node}:/opt/snap.db`)).toBe("a snapshot");
    await resetTask(loaded, env());
    expect(nodes.files.has(`${node}:/opt/snap.db`)).toBe(false);
  });

  it("a snapshot etcdctl could not save stops setup with etcdctl's last line", async () => {
    nodes.etcdctlFails = true;
    const failed = await startTask(loaded, env()).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(SetupError);
    expect((failed as Error).message).toBe(
      "setup of task restore-drill could not save an etcd snapshot to kubedrill-control-plane:/opt/snap.db (etcdctl exited 1): Error: context deadline exceeded",
    );
  });

  it("puts etcd's manifest back from the node's copy even when the namespace's record is gone, and removes the restored folder", async () => {
    await startTask(loaded, env());
    expect(nodes.files.get(`${node}:${copyBeforeEdit(task.id, etcdManifest)}`)).toBe(original);
    nodes.files.set(`${node}:${etcdManifest}`, restored);
    nodes.files.set(`${node}:/var/lib/etcd-from-backup/member/snap/db`, "restored data");
    // etcd on an empty folder: the API server answers, with nothing of the task in it.
    await cluster.delete("v1", "Namespace", "restore-drill");

    await resetTask(loaded, env());

    expect(nodes.files.get(`${node}:${etcdManifest}`)).toBe(original);
    expect(await nodes.list(node, "/var/lib/etcd-from-backup")).toBeUndefined();
    expect([...nodes.files.keys()].filter((k) => k.includes("/var/lib/kubedrill/"))).toEqual([]);
  });

  it("never removes etcd's manifest, even without a record of it", () => {
    expect(cleanupPlan(task, vars, [], servedKinds).nodeFiles).toContainEqual({
      node,
      path: etcdManifest,
      fromSetup: true,
    });
  });

  it("restarts the API server, controller manager and scheduler: their manifests leave until /readyz stops answering, then come back", async () => {
    await resetTask(loaded, env());
    expect(apiStops).toBeGreaterThan(0);
    expect(presentWhileDown).toEqual(new Set());
    expect(nodes.files.get(`${node}:${apiServerManifest}`)).toBe("kube-apiserver");
    expect(nodes.files.get(`${node}:${controllerManager}`)).toBe("kube-controller-manager");
    expect(nodes.files.get(`${node}:${scheduler}`)).toBe("kube-scheduler");
    expect([...nodes.files.keys()].filter((k) => k.includes("/var/lib/kubedrill/restart/"))).toEqual([]);
  });

  it("manifests a cut-short restart left out are put back from where they waited", async () => {
    nodes.files.delete(`${node}:${apiServerManifest}`);
    nodes.files.delete(`${node}:${scheduler}`);
    nodes.files.set(`${node}:${restartCopy(task.id, apiServerManifest)}`, "kube-apiserver");
    nodes.files.set(`${node}:${restartCopy(task.id, scheduler)}`, "kube-scheduler");
    await resetTask(loaded, env());
    expect(nodes.files.get(`${node}:${apiServerManifest}`)).toBe("kube-apiserver");
    expect(nodes.files.get(`${node}:${scheduler}`)).toBe("kube-scheduler");
  });
});
