import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { testEnv } from "./paths.js";

// A learner's first minutes on the local cluster: real kubectl against the real control plane.

interface ContainerStatus {
  name: string;
  ready: boolean;
  state: {
    running?: { startedAt: string };
    waiting?: { reason: string };
    terminated?: { reason: string; exitCode: number };
  };
}

interface Pod {
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: { nodeName?: string };
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: { type: string; status: string }[] };
}

interface List<T> {
  items: T[];
}

const workers = ["kubedrill-worker", "kubedrill-worker2"];

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await execa("kubectl", args, { env: { ...process.env, ...testEnv }, input });
  return result.stdout;
}

async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl(["get", ...args, "-o", "json"])) as T;
}

/** Retries an async assertion until it passes, or rethrows its last failure after timeoutMs. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

const suffix = () => randomBytes(3).toString("hex");

const namespaces: string[] = [];

async function newNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${suffix()}`;
  await kubectl(["create", "namespace", name]);
  namespaces.push(name);
  return name;
}

afterEach(async () => {
  const names = namespaces.splice(0);
  if (names.length > 0)
    await kubectl(["delete", "namespace", ...names, "--wait=false", "--ignore-not-found"]);
});

async function runningPod(ns: string, name: string): Promise<Pod> {
  return eventually(async () => {
    const pod = await getJson<Pod>(["pod", name, "-n", ns]);
    expect(pod.status.phase).toBe("Running");
    return pod;
  });
}

describe("local cluster", () => {
  it("has three Ready nodes named like kind's, the control plane labelled and tainted, on v1.33", async () => {
    const nodes = await getJson<List<Node>>(["nodes"]);
    expect(nodes.items.map((node) => node.metadata.name).sort()).toEqual([
      "kubedrill-control-plane",
      "kubedrill-worker",
      "kubedrill-worker2",
    ]);
    for (const node of nodes.items) {
      const ready = node.status.conditions.find((condition) => condition.type === "Ready");
      expect(ready?.status, node.metadata.name).toBe("True");
    }
    const controlPlane = nodes.items.find((node) => node.metadata.name === "kubedrill-control-plane");
    expect(controlPlane?.metadata.labels).toHaveProperty(["node-role.kubernetes.io/control-plane"]);
    expect(controlPlane?.spec.taints).toContainEqual(
      expect.objectContaining({ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }),
    );

    const version = JSON.parse(await kubectl(["version", "-o", "json"])) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.33\.\d+/);
  });

  it("schedules pods onto workers only, and holds an unmatched nodeSelector Pending until a node gets the label", async () => {
    const ns = await newNamespace("scheduling");
    await kubectl(["create", "deployment", "spread", "--image=nginx:1.27", "--replicas=6", "-n", ns]);
    const placed = await eventually(async () => {
      const pods = await getJson<List<Pod>>(["pods", "-l", "app=spread", "-n", ns]);
      const nodes = pods.items.map((pod) => pod.spec.nodeName);
      expect(nodes).toHaveLength(6);
      expect(nodes.every((node) => node !== undefined)).toBe(true);
      return nodes;
    });
    for (const node of placed) expect(workers).toContain(node);

    const key = `kubedrill.test/disk-${suffix()}`;
    await kubectl(
      ["apply", "-n", ns, "-f", "-"],
      podYaml("picky", "nginx:1.27", `nodeSelector: {"${key}": ssd}`),
    );
    await eventually(async () => {
      const events = await kubectl([
        "get",
        "events",
        "-n",
        ns,
        "--field-selector",
        "involvedObject.name=picky,reason=FailedScheduling",
        "-o",
        "name",
      ]);
      expect(events).not.toBe("");
    });
    const pending = await getJson<Pod>(["pod", "picky", "-n", ns]);
    expect(pending.status.phase).toBe("Pending");
    expect(pending.spec.nodeName).toBeUndefined();

    onTestFinished(async () => {
      await kubectl(["label", "node", "kubedrill-worker2", `${key}-`]);
    });
    await kubectl(["label", "node", "kubedrill-worker2", `${key}=ssd`]);
    const running = await runningPod(ns, "picky");
    expect(running.spec.nodeName).toBe("kubedrill-worker2");
  });

  it("runs Deployments and Jobs to completion, gives Services a ClusterIP, and finishes namespace deletion", async () => {
    const ns = await newNamespace("workloads");
    await kubectl(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "-n", ns]);
    await kubectl(["create", "job", "once", "--image=busybox:1.36", "-n", ns, "--", "true"]);
    await kubectl(["create", "service", "clusterip", "web", "--tcp=80:80", "-n", ns]);

    await eventually(async () => {
      const deployment = await getJson<{ status: { replicas?: number; readyReplicas?: number } }>([
        "deployment",
        "web",
        "-n",
        ns,
      ]);
      expect(deployment.status.replicas).toBe(3);
      expect(deployment.status.readyReplicas).toBe(3);
    });
    const replicaSets = await getJson<List<Pick<Pod, "metadata">>>([
      "replicasets",
      "-l",
      "app=web",
      "-n",
      ns,
    ]);
    expect(replicaSets.items).toHaveLength(1);
    expect(replicaSets.items[0]?.metadata.ownerReferences).toContainEqual(
      expect.objectContaining({ kind: "Deployment", name: "web" }),
    );
    const pods = await getJson<List<Pod>>(["pods", "-l", "app=web", "-n", ns]);
    expect(pods.items.map((pod) => pod.status.phase)).toEqual(["Running", "Running", "Running"]);

    await eventually(async () => {
      const job = await getJson<{
        status: { succeeded?: number; conditions?: { type: string; status: string }[] };
      }>(["job", "once", "-n", ns]);
      expect(job.status.succeeded).toBe(1);
      expect(job.status.conditions).toContainEqual(
        expect.objectContaining({ type: "Complete", status: "True" }),
      );
    });

    const service = await getJson<{ spec: { clusterIP: string } }>(["service", "web", "-n", ns]);
    expect(service.spec.clusterIP).toMatch(
      /^10\.96\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/,
    );

    await kubectl(["delete", "namespace", ns, "--wait=false"]);
    await eventually(async () => {
      expect(await kubectl(["get", "namespace", ns, "--ignore-not-found", "-o", "name"])).toBe("");
    }, 60_000);
  });

  it("starts pods with ready, running containers and a pod IP, init containers first", async () => {
    const ns = await newNamespace("pods");
    await kubectl(["run", "web", "--image=nginx:1.27", "-n", ns]);
    const web = await runningPod(ns, "web");
    expect(web.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(web.status.containerStatuses).toEqual([
      expect.objectContaining({ name: "web", ready: true, state: { running: expect.anything() } }),
    ]);

    const initSpec = `initContainers:
    - { name: setup, image: busybox:1.36, command: ["sh", "-c", "true"] }`;
    await kubectl(["apply", "-n", ns, "-f", "-"], podYaml("with-init", "nginx:1.27", initSpec));
    await eventually(async () => {
      const pod = await getJson<Pod>(["pod", "with-init", "-n", ns]);
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.initContainerStatuses?.[0]?.state.terminated?.reason).toBe("Completed");
      expect(pod.status.containerStatuses?.[0]?.state.running).toBeDefined();
    });
  });

  it("leaves a pod with an unknown image in ErrImagePull/ImagePullBackOff until the image is fixed", async () => {
    const ns = await newNamespace("image-pull");
    await kubectl(["run", "redis", "--image=redis123", "-n", ns]);
    const observed: { phase: string; reason?: string }[] = [];
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const pod = await getJson<Pod>(["pod", "redis", "-n", ns]);
      const reason = pod.status.containerStatuses?.[0]?.state.waiting?.reason;
      observed.push({ phase: pod.status.phase, reason });
      await sleep(250);
    }
    expect(observed.map((sample) => sample.phase)).not.toContain("Running");
    expect(observed.some((sample) => /^(ErrImagePull|ImagePullBackOff)$/.test(sample.reason ?? ""))).toBe(
      true,
    );
    expect(observed.at(-1)?.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    await eventually(async () => {
      expect(await kubectl(["describe", "pod", "redis", "-n", ns])).toContain("Failed to pull image");
    });

    await kubectl(["set", "image", "pod/redis", "redis=redis", "-n", ns]);
    const fixed = await runningPod(ns, "redis");
    expect(fixed.status.containerStatuses?.[0]).toMatchObject({ ready: true, state: { running: {} } });
  });

  it("mirrors a static pod manifest on a node as <name>-<node>, and removes it with the file", async () => {
    const ns = await newNamespace("static");
    const name = `static-${suffix()}`;
    const manifests = join(testEnv.KUBEDRILL_STATE_DIR, "nodes/kubedrill-worker/etc/kubernetes/manifests");
    const file = join(manifests, `${name}.yaml`);
    onTestFinished(() => rm(file, { force: true }));
    await writeFile(
      file,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${podSpec(name, "nginx:1.27")}`,
    );

    const mirror = await runningPod(ns, `${name}-kubedrill-worker`);
    expect(mirror.metadata.annotations).toHaveProperty(["kubernetes.io/config.mirror"]);
    expect(mirror.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Node", name: "kubedrill-worker" }),
    ]);
    expect(mirror.spec.nodeName).toBe("kubedrill-worker");

    await rm(file);
    await eventually(async () => {
      const left = await kubectl([
        "get",
        "pod",
        `${name}-kubedrill-worker`,
        "-n",
        ns,
        "--ignore-not-found",
        "-o",
        "name",
      ]);
      expect(left).toBe("");
    });
  });
});

function podSpec(container: string, image: string, extra = ""): string {
  return `spec:\n  containers:\n    - { name: ${container}, image: ${image} }\n${extra ? `  ${extra}\n` : ""}`;
}

function podYaml(name: string, image: string, extra = ""): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${podSpec(name, image, extra)}`;
}
