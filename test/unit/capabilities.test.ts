import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/cluster/api.js";
import { type Capabilities, capabilitiesFrom } from "../../src/cluster/capabilities.js";
import { findOnPath } from "../../src/cluster/tools.js";
import { skipReason, unmetRequirements } from "../../src/engine/requires.js";

// The local cluster's nodes, as `kubectl get nodes -o json` printed them (managedFields removed).
const localNodes = (
  JSON.parse(readFileSync(new URL("../fixtures/local-nodes.json", import.meta.url), "utf8")) as {
    items: KubeObject[];
  }
).items;

/** The same nodes as kind runs them: real kubelets, so no kwok annotation. */
const kindNodes = localNodes.map((node) => {
  const { "kwok.x-k8s.io/node": _, ...annotations } = node.metadata?.annotations ?? {};
  return { ...node, metadata: { ...node.metadata, annotations } };
});

const daemonSet = (name: string, image: string, args: string[] = []): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name, namespace: "kube-system" },
  spec: { template: { spec: { containers: [{ name, image, args }] } } },
});

const kubeDns: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "kube-dns", namespace: "kube-system" },
};
const metricsApi = (available: "True" | "False"): KubeObject => ({
  apiVersion: "apiregistration.k8s.io/v1",
  kind: "APIService",
  metadata: { name: "v1beta1.metrics.k8s.io" },
  status: { conditions: [{ type: "Available", status: available }] },
});

describe("capabilitiesFrom", () => {
  it("on the local cluster: node access and two workers, but simulated containers, no NetworkPolicy, DNS or metrics", () => {
    const found = capabilitiesFrom({ nodes: localNodes, daemonSets: [], nodeAccess: "local" });
    expect(found.workers).toBe(2);
    expect(found.has["node-access"]).toEqual({
      available: true,
      why: "node files are reached through local",
    });
    expect(found.has.containers.available).toBe(false);
    expect(found.has.containers.why).toContain("simulated (kwok)");
    expect(found.has["network-policy"].available).toBe(false);
    expect(found.has["metrics-server"].available).toBe(false);
    expect(found.has.dns).toEqual({
      available: false,
      why: "there is no Service kube-system/kube-dns (CoreDNS)",
    });
  });

  it("logs: real on kind, served by the local cluster's node agent (with or without node access), absent on other simulated nodes", () => {
    // The nodes as the local cluster's stages report them now: the agent's kubelet port.
    const served = localNodes.map((node) => ({
      ...node,
      status: { ...(node.status as object), daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    }));
    const local = capabilitiesFrom({ nodes: served, daemonSets: [] }).has.logs;
    expect(local.available).toBe(true);
    expect(local.why).toContain("node agent");
    expect(capabilitiesFrom({ nodes: kindNodes, daemonSets: [] }).has.logs.available).toBe(true);
    const kwokOnly = served.map((node) => ({
      ...node,
      metadata: { ...node.metadata, annotations: { "kwok.x-k8s.io/node": "fake" } },
    }));
    expect(capabilitiesFrom({ nodes: kwokOnly, daemonSets: [] }).has.logs.available).toBe(false);
  });

  it("node services wherever kubedrill reaches the nodes: real on kind, simulated in the local node shell", () => {
    expect(
      capabilitiesFrom({ nodes: localNodes, daemonSets: [], nodeAccess: "local" }).has["node-services"].why,
    ).toContain("systemctl, journalctl and crictl");
    expect(
      capabilitiesFrom({ nodes: kindNodes, daemonSets: [], nodeAccess: "kind" }).has["node-services"],
    ).toEqual({
      available: true,
      why: "kind nodes run systemd, containerd and the kubelet",
    });
    expect(capabilitiesFrom({ nodes: localNodes, daemonSets: [] }).has["node-services"].available).toBe(
      false,
    );
  });

  it("etcdctl only on the local cluster's control-plane node: kind's has none", () => {
    expect(
      capabilitiesFrom({ nodes: localNodes, daemonSets: [], nodeAccess: "local" }).has.etcdctl.available,
    ).toBe(true);
    expect(capabilitiesFrom({ nodes: kindNodes, daemonSets: [], nodeAccess: "kind" }).has.etcdctl).toEqual({
      available: false,
      why: "kind nodes have no etcdctl or etcdutl",
    });
  });

  it("api-server-down only on the local cluster: kind's nodes and practice check need the API server", () => {
    const local = capabilitiesFrom({ nodes: localNodes, daemonSets: [], nodeAccess: "local" });
    expect(local.has["api-server-down"].available).toBe(true);
    expect(
      capabilitiesFrom({ nodes: kindNodes, daemonSets: [], nodeAccess: "kind" }).has["api-server-down"],
    ).toEqual({
      available: false,
      why: "kubedrill needs the API server to name kind nodes and to know the cluster as a practice one",
    });
  });

  it("on kind: containers run, kindnet from kind v0.24 on enforces NetworkPolicy, CoreDNS answers", () => {
    const found = capabilitiesFrom({
      nodes: kindNodes,
      daemonSets: [
        daemonSet("kindnet", "docker.io/kindest/kindnetd:v20250512-df8de77b"),
        daemonSet("kube-proxy", "registry.k8s.io/kube-proxy:v1.33.1"),
      ],
      dnsService: kubeDns,
      nodeAccess: "kind",
    });
    expect(found.has.containers).toEqual({
      available: true,
      why: "3 Ready node(s) run a container runtime (containerd://2.1.1)",
    });
    expect(found.has["network-policy"].available).toBe(true);
    expect(found.has.dns.available).toBe(true);
    expect(found.workers).toBe(2);
  });

  it("an older kindnet, or one started with --network-policy=false, does not enforce NetworkPolicy", () => {
    const old = capabilitiesFrom({
      nodes: kindNodes,
      daemonSets: [daemonSet("kindnet", "docker.io/kindest/kindnetd:v20230511-dc714da8")],
    });
    const off = capabilitiesFrom({
      nodes: kindNodes,
      daemonSets: [
        daemonSet("kindnet", "docker.io/kindest/kindnetd:v20250512-df8de77b", ["--network-policy=false"]),
      ],
    });
    expect(old.has["network-policy"]).toMatchObject({
      available: false,
      why: expect.stringContaining("v20230511"),
    });
    expect(off.has["network-policy"].available).toBe(false);
  });

  it("Calico or Cilium enforce NetworkPolicy wherever they run", () => {
    for (const name of ["calico-node", "cilium"]) {
      const found = capabilitiesFrom({
        nodes: kindNodes,
        daemonSets: [daemonSet(name, `example/${name}:v1`)],
      });
      expect(found.has["network-policy"]).toEqual({ available: true, why: `${name} enforces NetworkPolicy` });
    }
  });

  it("metrics-server counts only when its APIService is Available", () => {
    expect(
      capabilitiesFrom({ nodes: kindNodes, daemonSets: [], metricsApi: metricsApi("True") }).has[
        "metrics-server"
      ].available,
    ).toBe(true);
    expect(
      capabilitiesFrom({ nodes: kindNodes, daemonSets: [], metricsApi: metricsApi("False") }).has[
        "metrics-server"
      ],
    ).toMatchObject({
      available: false,
      why: expect.stringContaining("not Available"),
    });
  });

  it("the local cluster's kindnet enforces nothing: its pods do not really run", () => {
    const found = capabilitiesFrom({
      nodes: localNodes,
      daemonSets: [daemonSet("kindnet", "docker.io/kindest/kindnetd:v20250512-df8de77b")],
    });
    expect(found.has["network-policy"]).toMatchObject({
      available: false,
      why: expect.stringContaining("cannot really run here"),
    });
  });

  it("a provisioner is there when the default StorageClass names one, not kubernetes.io/no-provisioner", () => {
    const storageClass = (name: string, provisioner: string, isDefault: boolean): KubeObject => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name,
        annotations: isDefault ? { "storageclass.kubernetes.io/is-default-class": "true" } : {},
      },
      provisioner,
    });
    const provisionerWith = (storageClasses: KubeObject[]) =>
      capabilitiesFrom({ nodes: localNodes, daemonSets: [], storageClasses }).has.provisioner;
    expect(provisionerWith([storageClass("standard", "rancher.io/local-path", true)])).toEqual({
      available: true,
      why: "StorageClass standard is the default (provisioner rancher.io/local-path)",
    });
    expect(provisionerWith([storageClass("standard", "rancher.io/local-path", false)]).available).toBe(false);
    expect(provisionerWith([storageClass("manual", "kubernetes.io/no-provisioner", true)]).available).toBe(
      false,
    );
    expect(provisionerWith([])).toEqual({
      available: false,
      why: "no default StorageClass names a provisioner",
    });
  });

  it("kube-dns on simulated nodes is not DNS: its pods never really run", () => {
    const found = capabilitiesFrom({ nodes: localNodes, daemonSets: [], dnsService: kubeDns });
    expect(found.has.dns.available).toBe(false);
  });

  it("workers are Ready, schedulable nodes without the control-plane role", () => {
    const [controlPlane, worker, worker2] = kindNodes as [KubeObject, KubeObject, KubeObject];
    const cordoned = { ...worker2, spec: { ...(worker2.spec as object), unschedulable: true } };
    const notReady = { ...worker, status: { conditions: [{ type: "Ready", status: "False" }] } };
    expect(capabilitiesFrom({ nodes: [controlPlane, worker, cordoned], daemonSets: [] }).workers).toBe(1);
    expect(capabilitiesFrom({ nodes: [controlPlane, notReady, worker2], daemonSets: [] }).workers).toBe(1);
    expect(capabilitiesFrom({ nodes: [controlPlane], daemonSets: [] }).workers).toBe(0);
  });

  it("without node access for the context, node-access is missing and says where it exists", () => {
    const found = capabilitiesFrom({ nodes: kindNodes, daemonSets: [] });
    expect(found.has["node-access"]).toMatchObject({
      available: false,
      why: expect.stringContaining("kind, minikube and local"),
    });
  });
});

describe("helm", () => {
  it("is the helm tool on PATH: found, the task may run; missing, it is skipped with that reason", () => {
    const found = capabilitiesFrom({ nodes: localNodes, daemonSets: [], helm: "/usr/local/bin/helm" });
    expect(found.has.helm).toEqual({ available: true, why: "helm is on PATH (/usr/local/bin/helm)" });
    const missing = capabilitiesFrom({ nodes: localNodes, daemonSets: [] });
    expect(skipReason(["helm"], missing)).toBe('needs helm: there is no "helm" on PATH');
  });

  it("findOnPath finds the first executable of the name in PATH's folders, and nothing that is not executable", async () => {
    const root = await mkdtemp(join(tmpdir(), "kubedrill-path-"));
    const [plain, runnable] = [join(root, "plain"), join(root, "runnable")];
    await mkdir(plain);
    await mkdir(runnable);
    await writeFile(join(plain, "helm"), "not executable");
    await writeFile(join(runnable, "helm"), "#!/bin/sh\n", { mode: 0o755 });
    expect(findOnPath("helm", [plain, runnable].join(delimiter))).toBe(join(runnable, "helm"));
    expect(findOnPath("helm", plain)).toBeUndefined();
    await rm(root, { recursive: true });
  });
});

describe("unmetRequirements", () => {
  const local = capabilitiesFrom({ nodes: localNodes, daemonSets: [], nodeAccess: "local" });

  it("names each requirement the cluster does not meet, with the evidence", () => {
    expect(unmetRequirements(["node-access", "containers", { workers: 3 }], local)).toEqual([
      `needs containers: ${local.has.containers.why}`,
      "needs 3 worker nodes: the cluster has 2 Ready",
    ]);
  });

  it("is empty for a task without requirements, or whose requirements are met", () => {
    expect(unmetRequirements(undefined, local)).toEqual([]);
    expect(unmetRequirements(["node-access", { workers: 2 }], local)).toEqual([]);
  });

  it("skipReason joins the unmet requirements, and is undefined when the capabilities are unknown", () => {
    const none: Capabilities = capabilitiesFrom({ nodes: [], daemonSets: [] });
    expect(skipReason(["node-access", { workers: 1 }], none)).toBe(
      `needs node-access: ${none.has["node-access"].why}; needs 1 worker node: the cluster has 0 Ready`,
    );
    expect(skipReason(["containers"], undefined)).toBeUndefined();
  });
});
