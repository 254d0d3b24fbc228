import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { staticPodComponents } from "../../src/cluster/local/components.js";
import {
  describeStaticPod,
  type KubeletStatus,
  staticPodFailed,
} from "../../src/cluster/local/kubelet-status.js";
import { controlPlaneImages, controlPlaneManifests } from "../../src/cluster/local/manifests.js";

const ports = {
  etcd: 2379,
  etcdPeer: 2380,
  etcdMetrics: 2381,
  apiserver: 6443,
  controllerManager: 10257,
  scheduler: 10259,
  kwok: 10247,
  kubelet: 10250,
};

interface Container {
  command: string[];
  image: string;
  livenessProbe: { httpGet: { host: string; port: number; path: string; scheme: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface Pod {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    containers: Container[];
    hostNetwork: boolean;
    volumes: { name: string; hostPath: { path: string } }[];
  };
}

const manifests = controlPlaneManifests(ports, "kubedrill-control-plane") as Record<string, Pod>;

describe("the control plane's static-pod manifests", () => {
  it("name each component with kubeadm's labels, in kube-system, on the host network, with a known image", () => {
    for (const name of staticPodComponents) {
      const pod = manifests[name] as Pod;
      expect(pod.metadata).toMatchObject({
        name,
        namespace: "kube-system",
        labels: { component: name, tier: "control-plane" },
      });
      expect(pod.spec.hostNetwork).toBe(true);
      expect(controlPlaneImages()).toContain(pod.spec.containers[0]?.image);
      expect(pod.spec.containers[0]?.command[0]).toBe(name);
    }
  });

  it("give the flags in kubeadm's order (sorted) and the cluster's own ports", () => {
    for (const name of staticPodComponents) {
      const flags = (manifests[name] as Pod).spec.containers[0]?.command.slice(1) ?? [];
      expect(flags, name).toEqual([...flags].sort());
    }
    const flag = (name: string, key: string) =>
      (manifests[name] as Pod).spec.containers[0]?.command.find((f) => f.startsWith(`--${key}=`));
    expect(flag("kube-apiserver", "etcd-servers")).toBe("--etcd-servers=https://127.0.0.1:2379");
    expect(flag("kube-apiserver", "secure-port")).toBe("--secure-port=6443");
    expect(flag("etcd", "data-dir")).toBe("--data-dir=/var/lib/etcd");
    expect(flag("etcd", "listen-metrics-urls")).toBe("--listen-metrics-urls=http://127.0.0.1:2381");
    expect(flag("kube-scheduler", "kubeconfig")).toBe("--kubeconfig=/etc/kubernetes/scheduler.conf");
  });

  it("mount every file a flag names through a hostPath volume, as the kubelet needs to find it on the node", () => {
    for (const name of staticPodComponents) {
      const pod = manifests[name] as Pod;
      const container = pod.spec.containers[0] as Container;
      const mounts = container.volumeMounts.map((m) => m.mountPath);
      const volumes = new Set(pod.spec.volumes.map((v) => v.name));
      for (const m of container.volumeMounts)
        expect(volumes.has(m.name), `${name}: volume ${m.name}`).toBe(true);
      for (const path of container.command
        .flatMap((f) => f.split("=").slice(1))
        .filter((v) => v.startsWith("/"))) {
        expect(
          mounts.some((m) => path === m || path.startsWith(`${m}/`)),
          `${name}: ${path} is under a mount`,
        ).toBe(true);
      }
    }
  });

  it("probe each component where it serves, on loopback, and survive a YAML round trip", () => {
    expect((manifests["kube-apiserver"] as Pod).spec.containers[0]?.livenessProbe.httpGet).toEqual({
      host: "127.0.0.1",
      path: "/livez",
      port: 6443,
      scheme: "HTTPS",
    });
    expect((manifests.etcd as Pod).spec.containers[0]?.livenessProbe.httpGet.port).toBe(2381);
    expect(parse(stringify(manifests["kube-scheduler"]))).toEqual(manifests["kube-scheduler"]);
  });
});

describe("what the control-plane kubelet says about a component", () => {
  const status = (pods: KubeletStatus["pods"], invalid?: Record<string, string>): KubeletStatus => ({
    active: true,
    pods,
    invalid,
  });
  const paths = { root: "/nowhere" } as Parameters<typeof describeStaticPod>[0];

  it("names a crash loop with its reason, exit code and restarts; waiting longer will not help", () => {
    const s = status({
      "kube-scheduler": {
        state: "waiting",
        ready: false,
        reason: "CrashLoopBackOff",
        restartCount: 2,
        exitCode: 1,
      },
    });
    expect(describeStaticPod(paths, "kube-scheduler", s)).toBe(
      "kube-scheduler is CrashLoopBackOff, last exit code 1, 2 restarts",
    );
    expect(staticPodFailed(s, "kube-scheduler")).toBe(true);
  });

  it("a first exit may be a start-up race: it waits; a wrong image does not wait", () => {
    expect(
      staticPodFailed(
        status({ etcd: { state: "waiting", ready: false, reason: "CrashLoopBackOff", restartCount: 1 } }),
        "etcd",
      ),
    ).toBe(false);
    expect(
      staticPodFailed(
        status({ etcd: { state: "waiting", ready: false, reason: "ErrImagePull", restartCount: 0 } }),
        "etcd",
      ),
    ).toBe(true);
  });

  it("names a manifest that is gone or unreadable", () => {
    expect(describeStaticPod(paths, "kube-scheduler", status({}))).toBe(
      "no static pod named kube-scheduler in /etc/kubernetes/manifests on kubedrill-control-plane",
    );
    const broken = status(
      {},
      { "kube-scheduler.yaml": "couldn't parse as pod(yaml: line 3: mapping values are not allowed)" },
    );
    expect(describeStaticPod(paths, "kube-scheduler", broken)).toBe(
      "the kubelet cannot read /etc/kubernetes/manifests/kube-scheduler.yaml: couldn't parse as pod(yaml: line 3: mapping values are not allowed)",
    );
    expect(staticPodFailed(broken, "kube-scheduler")).toBe(true);
  });
});
