import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { readRecord } from "../../src/engine/cleanup-apply.js";
import {
  beforeStartAnnotation,
  cleanupPlan,
  describeAction,
  leafPaths,
  resetActions,
  taskLabel,
} from "../../src/engine/cleanup-plan.js";
import type { KubeObject } from "../../src/engine/ports.js";
import { planTask, resetTask, startTask } from "../../src/engine/setup.js";
import { leftovers } from "../../src/engine/verify.js";
import { FakeCluster, FakeNodes, servedKinds } from "../support/fake-cluster.js";

// The nodes of the local cluster, as `kubectl get nodes -o json` printed them.
const realNodes = (
  JSON.parse(readFileSync(new URL("../fixtures/local-nodes.json", import.meta.url), "utf8")) as {
    items: KubeObject[];
  }
).items;
const worker = "kubedrill-worker";
const vars = { worker, namespace: "drill", taskId: "drill-task", suffix: "x" };

const task = taskSchema.parse({
  id: "drill-task",
  title: "A task that touches everything reset restores",
  domain: "architecture",
  difficulty: "hard",
  minutes: 5,
  namespace: "drill",
  description: "d",
  setup: [
    { writeNodeFile: { node: "{{worker}}", path: "/etc/kubernetes/kubelet.conf", content: "broken" } },
    { writeNodeFile: { node: "{{worker}}", path: "/etc/new.txt", content: "new" } },
    { labelNode: { node: "{{worker}}", labels: { disktype: "hdd", "kubernetes.io/os": null } } },
    {
      apply: {
        manifest: [
          { apiVersion: "v1", kind: "Pod", metadata: { name: "web" } },
          { kind: "StorageClass", metadata: { name: "slow-{{suffix}}" }, provisioner: "none" },
        ],
      },
    },
  ],
  checks: [{ title: "t", resource: { kind: "Pod", name: "web" } }],
  cleanup: {
    objects: [{ kind: "ClusterRole", name: "reader-{{suffix}}" }],
    nodeLabels: [{ key: "team" }],
    nodeTaints: [{ node: "{{worker}}", key: "gpu" }],
    cordons: [{ node: "{{worker}}" }],
  },
  solution: "true",
});
const loaded: LoadedTask = { task, dir: "/nonexistent", file: "/nonexistent/task.yaml" };

describe("cleanup plan", () => {
  it("lists what setup and cleanup touch outside the namespace, with vars filled", () => {
    const plan = cleanupPlan(
      task,
      vars,
      [{ kind: "StorageClass", metadata: { name: "slow-{{suffix}}" } }],
      servedKinds,
    );
    expect(plan.objects).toEqual([
      { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", selector: `${taskLabel}=drill-task` },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "reader-x" },
    ]);
    expect(plan.nodeFiles).toEqual([
      { node: worker, path: "/etc/kubernetes/kubelet.conf", fromSetup: true },
      { node: worker, path: "/etc/new.txt", fromSetup: true },
    ]);
    expect(plan.nodeLabels).toEqual([
      { node: worker, key: "disktype", fromSetup: true },
      { node: worker, key: "kubernetes.io/os", fromSetup: true },
      { key: "team" },
    ]);
    expect(plan.nodeTaints).toEqual([{ node: worker, key: "gpu" }]);
    expect(plan.cordons).toEqual([{ node: worker }]);
  });

  it("leaves namespaced setup objects in the task's namespace to the namespace", () => {
    const plan = cleanupPlan(
      task,
      vars,
      [{ apiVersion: "v1", kind: "Pod", metadata: { name: "web" } }],
      servedKinds,
    );
    expect(plan.objects.map((o) => o.kind)).toEqual(["ClusterRole"]);
  });
});

describe("start records, reset restores (against a fake writer)", () => {
  let cluster: FakeCluster;
  let nodes: FakeNodes;
  const env = () => ({ cluster, nodes, vars });
  const nodeState = async () => cluster.list("v1", "Node");

  beforeEach(() => {
    cluster = new FakeCluster(servedKinds);
    cluster.objects.push(...structuredClone(realNodes));
    cluster.objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt", namespace: "drill" },
    });
    nodes = new FakeNodes();
    nodes.files.set(`${worker}:/etc/kubernetes/kubelet.conf`, "the original");
  });

  /** What a solution might do: every change the plan has to undo. */
  async function solve() {
    await cluster.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "extra", namespace: "drill" } });
    await cluster.apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "reader-x" },
    });
    await cluster.mergePatch("v1", "Node", worker, {
      metadata: { labels: { team: "a" } },
      spec: { unschedulable: true, taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] },
    });
    await cluster.mergePatch("v1", "Namespace", "drill", { metadata: { labels: { env: "prod" } } });
  }

  it("brings nodes, node files and cluster objects back to their state before start", async () => {
    const nodesBefore = await nodeState();
    const clusterRolesBefore = await cluster.list("rbac.authorization.k8s.io/v1", "ClusterRole");
    await startTask(loaded, env());
    expect(nodes.files.get(`${worker}:/etc/kubernetes/kubelet.conf`)).toBe("broken");
    expect((await cluster.get("v1", "Node", worker))?.metadata?.labels?.disktype).toBe("hdd");
    await solve();

    await resetTask(loaded, env());

    expect(await nodeState()).toEqual(nodesBefore);
    expect(nodes.files).toEqual(new Map([[`${worker}:/etc/kubernetes/kubelet.conf`, "the original"]]));
    expect(await cluster.list("storage.k8s.io/v1", "StorageClass")).toEqual([]);
    expect(await cluster.list("rbac.authorization.k8s.io/v1", "ClusterRole")).toEqual(clusterRolesBefore);
    expect((await cluster.list("v1", "Pod", "drill")).map((p) => p.metadata?.name)).toEqual([]);
    // Kept, so that the next start need not wait: only kubedrill's labels and the record remain.
    const namespace = await cluster.get("v1", "Namespace", "drill");
    expect(Object.keys(namespace?.metadata?.labels ?? {})).toEqual([
      "app.kubernetes.io/managed-by",
      taskLabel,
    ]);
    expect(Object.keys(namespace?.metadata?.annotations ?? {})).toEqual([beforeStartAnnotation]);
    expect(await cluster.list("v1", "ConfigMap", "drill")).toHaveLength(1);
  });

  it("is idempotent: a second reset writes nothing, and verify finds nothing left", async () => {
    await startTask(loaded, env());
    await solve();
    await resetTask(loaded, env());
    const writes = cluster.writes.length;
    await resetTask(loaded, env());
    expect(cluster.writes.slice(writes)).toEqual([]);
    const { plan } = await planTask(loaded, env());
    const record = readRecord(plan, await cluster.get("v1", "Namespace", "drill"));
    expect(await leftovers(plan, record, env())).toEqual([]);
  });

  it("a second start restores before it records, so the record stays the state before the first", async () => {
    const nodesBefore = await nodeState();
    await startTask(loaded, env());
    await solve();
    await startTask(loaded, env());
    await resetTask(loaded, env());
    expect(await nodeState()).toEqual(nodesBefore);
    expect(nodes.files.get(`${worker}:/etc/kubernetes/kubelet.conf`)).toBe("the original");
  });

  it("verify names what reset would still have to do", async () => {
    await startTask(loaded, env());
    await solve();
    const { plan } = await planTask(loaded, env());
    const record = readRecord(plan, await cluster.get("v1", "Namespace", "drill"));
    expect(await leftovers(plan, record, env())).toEqual([
      `after reset, ${worker}:/etc/kubernetes/kubelet.conf differs from its content before start`,
      `after reset, ${worker}:/etc/new.txt is left`,
      `after reset, node ${worker}: label disktype=hdd; label kubernetes.io/os is missing (want linux); label team=a; taints gpu=yes:NoSchedule (want none); is cordoned`,
      "after reset, StorageClass slow-x is left",
      "after reset, ClusterRole reader-x is left",
      "after reset, namespace drill still holds Pod web, extra",
      "after reset, namespace drill keeps label env, annotation kubedrill.dev/setup-uids",
    ]);
  });

  it("without a record (the namespace was deleted by hand) deletes the objects cleanup names, leaves nodes alone", async () => {
    await startTask(loaded, env());
    await solve();
    await cluster.delete("v1", "Namespace", "drill");
    await resetTask(loaded, env());
    expect(await cluster.get("rbac.authorization.k8s.io/v1", "ClusterRole", "reader-x")).toBeUndefined();
    const node = await cluster.get("v1", "Node", worker);
    expect(node?.metadata?.labels).toMatchObject({ team: "a", disktype: "hdd" });
    expect(node?.spec).toMatchObject({ unschedulable: true, taints: [{ key: "gpu" }] });
    // Removing it could break the node more than the task did: its content before start is unknown.
    expect(nodes.files.get(`${worker}:/etc/kubernetes/kubelet.conf`)).toBe("broken");
  });

  it("deletes pod owners first, in the foreground, so no controller replaces a pod after reset looked", async () => {
    await startTask(loaded, env());
    await cluster.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "drill" },
    });
    await cluster.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "drill" } });
    await cluster.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "drill" },
    });
    const before = cluster.writes.length;
    await resetTask(loaded, env());
    const empties = cluster.writes.slice(before).filter((w) => w.startsWith("delete every"));
    expect(empties.slice(0, 2)).toEqual([
      "delete every Deployment in drill (owners wait for what they made)",
      "delete every Pod in drill",
    ]);
    expect(empties).toContain("delete every ConfigMap in drill");
  });

  it("undoes what setup's taintNode and cordonNode did, keeping the node's own taints", async () => {
    const breaking: LoadedTask = {
      ...loaded,
      task: taskSchema.parse({
        ...task,
        setup: [
          {
            taintNode: {
              node: "{{worker}}",
              taints: [{ key: "maintenance", value: "planned", effect: "NoSchedule" }],
            },
          },
          { cordonNode: { node: "{{worker}}" } },
        ],
        cleanup: undefined,
      }),
    };
    await cluster.mergePatch("v1", "Node", worker, {
      spec: { taints: [{ key: "gpu", effect: "NoSchedule" }] },
    });
    const before = await cluster.get("v1", "Node", worker);
    await startTask(breaking, env());
    const broken = await cluster.get("v1", "Node", worker);
    expect(broken?.spec).toMatchObject({
      unschedulable: true,
      taints: [
        { key: "gpu", effect: "NoSchedule" },
        { key: "maintenance", value: "planned", effect: "NoSchedule" },
      ],
    });
    await resetTask(breaking, env());
    expect(await cluster.get("v1", "Node", worker)).toEqual(before);
  });

  it("on a first start keeps a node's own taint that cleanup names, and restores it after the learner removed it", async () => {
    await cluster.mergePatch("v1", "Node", worker, {
      spec: { taints: [{ key: "gpu", effect: "NoSchedule" }] },
    });
    await startTask(loaded, env());
    expect((await cluster.get("v1", "Node", worker))?.spec).toMatchObject({ taints: [{ key: "gpu" }] });
    await cluster.mergePatch("v1", "Node", worker, { spec: { taints: null } });
    await resetTask(loaded, env());
    expect((await cluster.get("v1", "Node", worker))?.spec).toMatchObject({ taints: [{ key: "gpu" }] });
  });

  it("leaves a namespace kubedrill did not make alone", async () => {
    await cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "drill" } });
    await cluster.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "users", namespace: "drill" } });
    await resetTask(loaded, env());
    expect(await cluster.list("v1", "Pod", "drill")).toHaveLength(1);
  });

  it("empties the namespace when a custom kind goes with its CRD during the same reset", async () => {
    const backup = {
      apiVersion: "ops.example.com/v1",
      kind: "Backup",
      namespaced: true,
      verbs: ["list", "deletecollection"],
    };
    const gone = new (class extends FakeCluster {
      override async deleteCollection(apiVersion: string, kind: string, options: { namespace?: string }) {
        if (kind !== "Backup") return super.deleteCollection(apiVersion, kind, options);
        // The CRD was deleted meanwhile: its objects went with it, and its path answers 404.
        this.objects.splice(0, this.objects.length, ...this.objects.filter((o) => o.kind !== "Backup"));
        throw Object.assign(new Error("404 page not found"), { status: 404 });
      }
    })([...servedKinds, backup]);
    cluster = gone;
    cluster.objects.push(...structuredClone(realNodes));
    await startTask(loaded, env());
    await cluster.apply({
      apiVersion: "ops.example.com/v1",
      kind: "Backup",
      metadata: { name: "nightly", namespace: "drill" },
    });
    await cluster.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "extra", namespace: "drill" } });
    await resetTask(loaded, env());
    expect(await cluster.list("v1", "Pod", "drill")).toEqual([]);
    expect(await cluster.list("ops.example.com/v1", "Backup", "drill")).toEqual([]);
  });

  it("waits for the volumes provisioned for the namespace's claims that go with them, not for retained ones", () => {
    const plan = cleanupPlan(task, vars, [], servedKinds);
    const volume = (name: string, namespace: string, policy: string) => ({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: { claimRef: { namespace, name: "data" }, persistentVolumeReclaimPolicy: policy },
    });
    const ours = { metadata: { name: "drill", labels: { [taskLabel]: "drill-task" } } };
    const now = {
      nodes: [],
      files: [undefined, undefined],
      objects: [],
      contents: [],
      namespace: ours,
      fieldObjects: [],
      volumes: [
        volume("pvc-1", "drill", "Delete"),
        volume("pvc-2", "drill", "Retain"),
        volume("pvc-3", "other", "Delete"),
      ],
    };
    expect(resetActions(plan, undefined, now).filter((a) => a.do === "await-volumes")).toEqual([
      { do: "await-volumes", names: ["pvc-1"] },
    ]);
  });

  it("describes each action as one line", () => {
    const plan = cleanupPlan(task, vars, [], servedKinds);
    const record = { files: plan.nodeFiles.map(({ node, path }) => ({ node, path })), nodes: {} };
    const now = {
      nodes: [],
      files: ["x", undefined],
      objects: [],
      contents: [],
      volumes: [],
      fieldObjects: [],
    };
    expect(resetActions(plan, record, now).map(describeAction)).toEqual([
      `${worker}:/etc/kubernetes/kubelet.conf is left`,
    ]);
  });
});

describe("fields of objects that are not the task's (kube-system's CoreDNS)", () => {
  const dnsTask = taskSchema.parse({
    id: "dns-task",
    title: "A task that breaks CoreDNS",
    domain: "troubleshooting",
    difficulty: "medium",
    minutes: 5,
    namespace: "dns-task",
    description: "d",
    setup: [
      {
        patch: {
          resource: { kind: "ConfigMap", namespace: "kube-system", name: "coredns" },
          patch: { data: { Corefile: "broken" } },
        },
      },
      {
        patch: {
          resource: { kind: "Deployment", namespace: "kube-system", name: "coredns" },
          patch: { spec: { replicas: 0 } },
        },
      },
    ],
    checks: [{ title: "t", resource: { kind: "Deployment", namespace: "kube-system", name: "coredns" } }],
    cleanup: {
      fields: [
        {
          kind: "Deployment",
          namespace: "kube-system",
          name: "coredns",
          paths: ["spec.template.metadata.annotations"],
        },
      ],
    },
    solution: "true",
  });
  const dnsLoaded: LoadedTask = { task: dnsTask, dir: "/nonexistent", file: "/nonexistent/task.yaml" };
  let cluster: FakeCluster;
  const env = () => ({
    cluster,
    nodes: new FakeNodes(),
    vars: { namespace: "dns-task", taskId: "dns-task" },
  });
  const coredns = () => cluster.get("apps/v1", "Deployment", "coredns", "kube-system");
  const corefile = async () => (await cluster.get("v1", "ConfigMap", "coredns", "kube-system"))?.data;

  beforeEach(() => {
    cluster = new FakeCluster(servedKinds);
    cluster.objects.push(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "coredns", namespace: "kube-system" },
        data: { Corefile: ".:53 {}" },
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "coredns", namespace: "kube-system" },
        spec: { replicas: 2, template: { metadata: { labels: { "k8s-app": "kube-dns" } } } },
      },
    );
  });

  it("plans the fields a setup patch sets and those cleanup names", () => {
    const plan = cleanupPlan(dnsTask, { namespace: "dns-task" }, [], servedKinds);
    expect(plan.fields).toEqual([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "kube-system",
        name: "coredns",
        path: "data.Corefile",
        fromSetup: true,
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "kube-system",
        name: "coredns",
        path: "spec.replicas",
        fromSetup: true,
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "kube-system",
        name: "coredns",
        path: "spec.template.metadata.annotations",
      },
    ]);
  });

  it("takes a map whose keys have dots (annotations) as one field, since a dotted path cannot name them", () => {
    expect(
      leafPaths({
        spec: {
          replicas: 0,
          template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "x" } } },
        },
      }),
    ).toEqual(["spec.replicas", "spec.template.metadata.annotations"]);
  });

  it("setup patches them; reset puts back each value before start and removes what was not set", async () => {
    await startTask(dnsLoaded, env());
    expect(await corefile()).toEqual({ Corefile: "broken" });
    expect((await coredns())?.spec).toMatchObject({ replicas: 0 });
    // The learner scales up and restarts the Deployment (kubectl rollout restart's annotation).
    await cluster.mergePatch(
      "apps/v1",
      "Deployment",
      "coredns",
      {
        spec: {
          replicas: 3,
          template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } },
        },
      },
      "kube-system",
    );

    await resetTask(dnsLoaded, env());

    expect(await corefile()).toEqual({ Corefile: ".:53 {}" });
    expect((await coredns())?.spec).toEqual({
      replicas: 2,
      template: { metadata: { labels: { "k8s-app": "kube-dns" } } },
    });
    const { plan } = await planTask(dnsLoaded, env());
    const record = readRecord(plan, await cluster.get("v1", "Namespace", "dns-task"));
    expect(await leftovers(plan, record, env())).toEqual([]);
  });

  it("leaves the fields alone without a record of them (a first reset)", async () => {
    await cluster.mergePatch(
      "v1",
      "ConfigMap",
      "coredns",
      { data: { Corefile: "the learner's" } },
      "kube-system",
    );
    await resetTask(dnsLoaded, env());
    expect(await corefile()).toEqual({ Corefile: "the learner's" });
  });

  it("says which fields differ, as verify reports them", () => {
    const plan = cleanupPlan(dnsTask, { namespace: "dns-task" }, [], servedKinds);
    const record = {
      files: [],
      nodes: {},
      fields: plan.fields.map((f) => ({
        key: `${f.apiVersion}/${f.kind}/${f.namespace}/${f.name}#${f.path}`,
        value: f.path === "spec.replicas" ? 2 : undefined,
      })),
    };
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns" },
      spec: { replicas: 0 },
    };
    const now = {
      nodes: [],
      files: [],
      objects: [],
      contents: [],
      volumes: [],
      fieldObjects: [{ data: {} }, deployment, deployment],
    };
    expect(resetActions(plan, record, now).map(describeAction)).toEqual([
      "Deployment kube-system/coredns: spec.replicas differs from before start",
    ]);
  });
});
