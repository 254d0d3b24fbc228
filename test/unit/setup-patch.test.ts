import { beforeEach, describe, expect, it } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { readRecord } from "../../src/engine/cleanup-apply.js";
import { cleanupPlan } from "../../src/engine/cleanup-plan.js";
import type { KubeObject } from "../../src/engine/ports.js";
import { planTask, resetTask, startTask } from "../../src/engine/setup.js";
import { leftovers } from "../../src/engine/verify.js";
import { FakeCluster, FakeNodes, servedKinds } from "../support/fake-cluster.js";

// A setup patch of type strategic changes one container of an object that is not the
// task's (kube-system's kube-proxy), without writing the others out in the task file.

const task = taskSchema.parse({
  id: "proxy-task",
  title: "A task that gives kube-proxy a request no node fits",
  domain: "troubleshooting",
  difficulty: "medium",
  minutes: 5,
  namespace: "proxy-task",
  description: "d",
  setup: [
    {
      patch: {
        resource: { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" },
        type: "strategic",
        patch: {
          spec: {
            template: {
              spec: { containers: [{ name: "kube-proxy", resources: { requests: { cpu: "500" } } }] },
            },
          },
        },
      },
    },
  ],
  checks: [{ title: "t", resource: { kind: "DaemonSet", namespace: "kube-system", name: "kube-proxy" } }],
  solution: "true",
});
const loaded: LoadedTask = { task, dir: "/nonexistent", file: "/nonexistent/task.yaml" };

// kubeadm's kube-proxy container, as `kubectl -n kube-system get ds kube-proxy -o json` shows it, one mount kept.
const kubeProxy = () => ({
  name: "kube-proxy",
  image: "registry.k8s.io/kube-proxy:v1.33.13",
  imagePullPolicy: "IfNotPresent",
  command: [
    "/usr/local/bin/kube-proxy",
    "--config=/var/lib/kube-proxy/config.conf",
    "--hostname-override=$(NODE_NAME)",
  ],
  env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }],
  resources: {},
  securityContext: { privileged: true },
  volumeMounts: [{ mountPath: "/var/lib/kube-proxy", name: "kube-proxy" }],
});

describe("setup patch of type strategic", () => {
  let cluster: FakeCluster;
  const env = () => ({
    cluster,
    nodes: new FakeNodes(),
    vars: { namespace: "proxy-task", taskId: "proxy-task" },
  });
  const containers = async () =>
    (
      (await cluster.get("apps/v1", "DaemonSet", "kube-proxy", "kube-system")) as KubeObject & {
        spec: { template: { spec: { containers: unknown[] } } };
      }
    ).spec.template.spec.containers;

  beforeEach(() => {
    cluster = new FakeCluster(servedKinds);
    cluster.objects.push({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "kube-proxy", namespace: "kube-system" },
      spec: { template: { spec: { containers: [kubeProxy()] } } },
    });
  });

  it("is sent as a strategic merge patch and merges into the container of that name", async () => {
    await startTask(loaded, env());
    expect(cluster.writes).toContainEqual(expect.stringMatching(/^strategic patch DaemonSet kube-proxy /));
    expect(await containers()).toEqual([{ ...kubeProxy(), resources: { requests: { cpu: "500" } } }]);
  });

  it("plans the whole list as one field, so reset puts back every container as it was", async () => {
    const plan = cleanupPlan(task, { namespace: "proxy-task" }, [], servedKinds);
    expect(plan.fields.map((f) => f.path)).toEqual(["spec.template.spec.containers"]);

    await startTask(loaded, env());
    // The learner lowers the request and adds a limit: reset takes both back.
    await cluster.strategicPatch(
      "apps/v1",
      "DaemonSet",
      "kube-proxy",
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: "kube-proxy", resources: { requests: { cpu: "100m" }, limits: { cpu: "1" } } },
              ],
            },
          },
        },
      },
      "kube-system",
    );
    await resetTask(loaded, env());

    expect(await containers()).toEqual([kubeProxy()]);
    const { plan: again } = await planTask(loaded, env());
    const record = readRecord(again, await cluster.get("v1", "Namespace", "proxy-task"));
    expect(await leftovers(again, record, env())).toEqual([]);
  });
});
