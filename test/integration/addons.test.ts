import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "./paths.js";
import { until } from "./until.js";

// The add-ons a kind cluster ships with, on the local cluster: CoreDNS and kube-proxy
// from kubeadm's addon code, kindnet and local-path-storage as kind applies them,
// dynamic provisioning for StorageClass standard, LoadBalancer addresses, and
// metrics-server reading the simulated kubelets' resource metrics.

const env = { ...process.env, ...testEnv };
// Its own per run: a namespace of an earlier run may still be terminating.
const namespace = `addons-test-${process.pid}`;
const kubectl = (...args: string[]) => execa("kubectl", args, { env, reject: false });
const json = async <T>(...args: string[]) => JSON.parse((await kubectl(...args, "-o", "json")).stdout) as T;
const nodesDir = join(testEnv.KUBEDRILL_STATE_DIR, "nodes");

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase: string };
}

beforeAll(async () => {
  await kubectl("create", "namespace", namespace);
});
afterAll(async () => {
  await kubectl("delete", "namespace", namespace, "--wait=false");
});

describe("the local cluster's add-ons", () => {
  it("runs CoreDNS, kube-proxy, kindnet and the local-path provisioner with kind's names, on the right nodes", async () => {
    const pods = (await json<{ items: Pod[] }>("get", "pods", "-A")).items.filter((p) =>
      ["kube-system", "local-path-storage"].includes(p.metadata.namespace),
    );
    const running = (prefix: string) =>
      pods.filter((p) => p.metadata.name.startsWith(prefix) && p.status.phase === "Running");
    expect(running("coredns-")).toHaveLength(2);
    expect(running("local-path-provisioner-")).toHaveLength(1);
    const nodes = ["kubedrill-control-plane", "kubedrill-worker", "kubedrill-worker2"];
    for (const daemon of ["kube-proxy-", "kindnet-"]) {
      expect(
        running(daemon)
          .map((p) => p.spec.nodeName)
          .sort(),
      ).toEqual(nodes);
    }
    const dns = await json<{ spec: { clusterIP: string; ports: { port: number; protocol: string }[] } }>(
      "-n",
      "kube-system",
      "get",
      "service",
      "kube-dns",
    );
    expect(dns.spec.clusterIP).toBe("10.96.0.10");
    expect(dns.spec.ports.map((p) => `${p.port}/${p.protocol}`).sort()).toEqual([
      "53/TCP",
      "53/UDP",
      "9153/TCP",
    ]);
    const corefile = (
      await kubectl("-n", "kube-system", "get", "configmap", "coredns", "-o", "jsonpath={.data.Corefile}")
    ).stdout;
    expect(corefile).toContain("kubernetes cluster.local in-addr.arpa ip6.arpa");
    expect(corefile).toContain("forward . /etc/resolv.conf");
    for (const node of nodes) {
      const conflist = join(nodesDir, node, "etc/cni/net.d/10-kindnet.conflist");
      expect(existsSync(conflist), conflist).toBe(true);
      expect(JSON.parse(readFileSync(conflist, "utf8")).name).toBe("kindnet");
    }
  });

  it("replaces a deleted CoreDNS pod, as its Deployment's controller does", async () => {
    const before = (
      await json<{ items: Pod[] }>("-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-dns")
    ).items;
    const victim = before[0]?.metadata.name ?? "";
    expect((await kubectl("-n", "kube-system", "delete", "pod", victim, "--wait=false")).exitCode).toBe(0);
    await until(
      "a new CoreDNS pod running",
      async () =>
        (await json<{ items: Pod[] }>("-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-dns")).items,
      (pods) => pods.filter((p) => p.metadata.name !== victim && p.status.phase === "Running").length === 2,
    );
  });

  it("CoreDNS follows its Corefile: a broken one crash-loops new pods with CoreDNS's error, no ready endpoints; fixed, they run again", async () => {
    const system = (...args: string[]) => kubectl("-n", "kube-system", ...args);
    // Read as it is, final newline included, to put back exactly what was there.
    const corefile = (
      await execa(
        "kubectl",
        ["-n", "kube-system", "get", "configmap", "coredns", "-o", "jsonpath={.data.Corefile}"],
        {
          env,
          stripFinalNewline: false,
        },
      )
    ).stdout;
    const setCorefile = (text: string) =>
      system(
        "patch",
        "configmap",
        "coredns",
        "--type=merge",
        "-p",
        JSON.stringify({ data: { Corefile: text } }),
      );
    const dnsPods = async () =>
      (
        await json<{
          items: (Pod & { status: { containerStatuses?: { restartCount: number; ready: boolean }[] } })[];
        }>("-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-dns")
      ).items.filter((p) => !("deletionTimestamp" in p.metadata));
    const readyEndpoints = async () =>
      (
        await json<{ items: { endpoints?: { conditions: { ready?: boolean } }[] }[] }>(
          "-n",
          "kube-system",
          "get",
          "endpointslices",
          "-l",
          "kubernetes.io/service-name=kube-dns",
        )
      ).items
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.conditions.ready).length;
    // A task proved before may have left CoreDNS rolling out (its reset restarts it).
    expect((await system("rollout", "status", "deployment", "coredns", "--timeout=90s")).exitCode).toBe(0);
    await until("CoreDNS settled", readyEndpoints, (n) => n === 2, 60);
    try {
      expect((await setCorefile(corefile.replace("forward .", "forwardd ."))).exitCode).toBe(0);
      // Running pods keep serving (CoreDNS's reload plugin keeps the old configuration).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await readyEndpoints()).toBe(2);
      await system("delete", "pods", "-l", "k8s-app=kube-dns", "--wait=false");
      const crashed = await until(
        "new CoreDNS pods crash-looping",
        dnsPods,
        (pods) =>
          pods.length === 2 && pods.every((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1),
      );
      expect(await readyEndpoints()).toBe(0);
      const previous = await system("logs", crashed[0]?.metadata.name ?? "", "--previous");
      expect(previous.stdout).toMatch(
        /^\/etc\/coredns\/Corefile:\d+ - Error during parsing: Unknown directive 'forwardd'$/,
      );
    } finally {
      await setCorefile(corefile);
    }
    // The next restart reads the fixed Corefile: the same pods run again.
    await until("CoreDNS ready again", readyEndpoints, (n) => n === 2, 60);
  }, 90_000);

  it("provisions a claim of StorageClass standard on its pod's node, and deletes the volume with the claim", async () => {
    const manifest = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${namespace}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: ${namespace}}
spec:
  nodeSelector: {kubernetes.io/hostname: kubedrill-worker2}
  containers: [{name: app, image: "busybox:1.36", command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`;
    // Unscheduled first: WaitForFirstConsumer keeps the claim Pending until a pod uses it.
    const claimOnly = manifest.split("---")[0] ?? "";
    await execa("kubectl", ["apply", "-f", "-"], { env, input: claimOnly });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pending = await json<{ status: { phase: string } }>("-n", namespace, "get", "pvc", "data");
    expect(pending.status.phase).toBe("Pending");

    await execa("kubectl", ["apply", "-f", "-"], { env, input: manifest });
    const claim = await until(
      "claim data Bound",
      () =>
        json<{ spec: { volumeName?: string; storageClassName: string }; status: { phase: string } }>(
          "-n",
          namespace,
          "get",
          "pvc",
          "data",
        ),
      (c) => c.status.phase === "Bound",
    );
    expect(claim.spec.storageClassName).toBe("standard");
    const volume = claim.spec.volumeName ?? "";
    const pv = await json<{
      metadata: { annotations: Record<string, string> };
      spec: { hostPath: { path: string }; persistentVolumeReclaimPolicy: string; nodeAffinity: unknown };
    }>("get", "pv", volume);
    expect(pv.metadata.annotations["pv.kubernetes.io/provisioned-by"]).toBe("rancher.io/local-path");
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Delete");
    expect(pv.spec.hostPath.path).toBe(`/var/local-path-provisioner/${volume}_${namespace}_data`);
    expect(JSON.stringify(pv.spec.nodeAffinity)).toContain("kubedrill-worker2");
    const folder = join(nodesDir, "kubedrill-worker2", pv.spec.hostPath.path);
    expect(existsSync(folder), folder).toBe(true);

    await kubectl("-n", namespace, "delete", "pod", "app", "--grace-period=0", "--force");
    await kubectl("-n", namespace, "delete", "pvc", "data", "--wait=false");
    await until(
      "volume deleted",
      async () => (await kubectl("get", "pv", volume)).exitCode,
      (code) => code !== 0,
    );
    expect(existsSync(folder), folder).toBe(false);
  });

  it("leaves a ReadWriteMany claim Pending with the provisioner's reason, as local-path does on kind", async () => {
    await execa("kubectl", ["apply", "-f", "-"], {
      env,
      input: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: ${namespace}}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: shared-user, namespace: ${namespace}}
spec:
  containers: [{name: app, image: "busybox:1.36", command: [sleep, "3600"], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: shared}}]
`,
    });
    const events = await until(
      "a ProvisioningFailed event",
      async () =>
        (await kubectl("-n", namespace, "get", "events", "--field-selector", "involvedObject.name=shared"))
          .stdout,
      (out) => out.includes("ProvisioningFailed"),
    );
    expect(events).toContain("NodePath only supports ReadWriteOnce and ReadWriteOncePod");
    const claim = await json<{ status: { phase: string } }>("-n", namespace, "get", "pvc", "shared");
    expect(claim.status.phase).toBe("Pending");
  });

  it("gives a LoadBalancer Service an external IP from 172.18.0.100-254, and none to one with a loadBalancerClass", async () => {
    await execa("kubectl", ["apply", "-f", "-"], {
      env,
      input: `
apiVersion: v1
kind: Service
metadata: {name: public, namespace: ${namespace}}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: elsewhere, namespace: ${namespace}}
spec: {type: LoadBalancer, loadBalancerClass: example.com/other, selector: {app: web}, ports: [{port: 80}]}
`,
    });
    const ip = await until(
      "an external IP",
      async () =>
        (
          await kubectl(
            "-n",
            namespace,
            "get",
            "service",
            "public",
            "-o",
            "jsonpath={.status.loadBalancer.ingress[0].ip}",
          )
        ).stdout,
      (value) => value !== "",
    );
    const last = Number(ip.split(".").at(-1));
    expect(ip.startsWith("172.18.0.")).toBe(true);
    expect(last).toBeGreaterThanOrEqual(100);
    expect(last).toBeLessThanOrEqual(254);
    const other = await kubectl(
      "-n",
      namespace,
      "get",
      "service",
      "elsewhere",
      "-o",
      "jsonpath={.status.loadBalancer}",
    );
    expect(other.stdout).toBe("{}");
  });

  it("serves kubectl top: a pod uses what its usage annotation says, else a share of its requests", async () => {
    await execa("kubectl", ["apply", "-f", "-"], {
      env,
      input: `
apiVersion: v1
kind: Pod
metadata: {name: busy, namespace: ${namespace}, annotations: {kubedrill.dev/usage: "cpu=250m,memory=64Mi"}}
spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: ${namespace}}
spec: {containers: [{name: app, image: nginx, resources: {requests: {cpu: 200m, memory: 128Mi}}}]}
`,
    });
    const top = async () => {
      const lines = (await kubectl("top", "pods", "-n", namespace, "--no-headers")).stdout.split("\n");
      return Object.fromEntries(
        lines.map((l) => l.trim().split(/\s+/)).map(([name, ...rest]) => [name, rest]),
      );
    };
    const usage = await until("kubectl top showing both pods", top, (t) => t.busy && t.quiet, 90);
    const millicores = (cpu = "") => Number(cpu.replace(/m$/, ""));
    expect(millicores(usage.busy?.[0])).toBeGreaterThanOrEqual(248);
    expect(millicores(usage.busy?.[0])).toBeLessThanOrEqual(252);
    expect(usage.busy?.[1]).toBe("64Mi");
    expect(millicores(usage.quiet?.[0])).toBeGreaterThanOrEqual(19);
    expect(millicores(usage.quiet?.[0])).toBeLessThanOrEqual(21);
    expect(usage.quiet?.[1]).toBe("64Mi");
    const nodes = (await kubectl("top", "nodes", "--no-headers")).stdout
      .split("\n")
      .map((l) => l.split(/\s+/)[0]);
    expect(nodes.sort()).toEqual(["kubedrill-control-plane", "kubedrill-worker", "kubedrill-worker2"]);
  }, 120_000);

  it("scales a Deployment with an HPA on CPU from 1 to 3 as its usage rises, and back to 1 as it falls", async () => {
    await execa("kubectl", ["apply", "-f", "-"], {
      env,
      input: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: scaled, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: scaled}}
  template:
    metadata: {labels: {app: scaled}}
    spec: {containers: [{name: app, image: nginx, resources: {requests: {cpu: 100m}}}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scaled, namespace: ${namespace}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scaled}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
  behavior: {scaleDown: {stabilizationWindowSeconds: 0}}
`,
    });
    const replicas = async () =>
      (await kubectl("-n", namespace, "get", "deployment", "scaled", "-o", "jsonpath={.spec.replicas}"))
        .stdout;
    await until("a running pod", replicas, (r) => r === "1");
    await until(
      "the pod annotated",
      async () =>
        (
          await kubectl(
            "-n",
            namespace,
            "annotate",
            "pods",
            "-l",
            "app=scaled",
            "kubedrill.dev/usage=cpu=300m",
          )
        ).stdout,
      (out) => out.includes("annotated"),
    );
    await until("the HPA scaling up to 3", replicas, (r) => r === "3", 120);
    await kubectl("-n", namespace, "annotate", "pods", "-l", "app=scaled", "kubedrill.dev/usage-");
    await until("the HPA scaling back to 1", replicas, (r) => r === "1", 120);
  }, 300_000);
});
