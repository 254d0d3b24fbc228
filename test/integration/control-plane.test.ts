import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot, testEnv } from "./paths.js";

// The local cluster looks like a kubeadm cluster where a learner looks: the files
// `kubeadm join` leaves on a worker, and the ConfigMaps `kubeadm init` uploads.

const cli = join(repoRoot, "dist", "cli", "main.js");
const env = { ...process.env, ...testEnv };
const kubectl = (...args: string[]) => execa("kubectl", args, { env, reject: false });
const nodeExec = (node: string, ...argv: string[]) =>
  execa(process.execPath, [cli, "node", "exec", node, "--", ...argv], {
    env,
    reject: false,
    stdin: "ignore",
  });

describe("kubeadm's layout on the local cluster", () => {
  it("a worker has kubeadm's kubelet.conf and the cluster CA at their paths", async () => {
    const conf = await nodeExec("kubedrill-worker", "cat", "/etc/kubernetes/kubelet.conf");
    expect(conf.exitCode).toBe(0);
    expect(conf.stdout).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    const ca = await nodeExec("kubedrill-worker", "cat", "/etc/kubernetes/pki/ca.crt");
    expect(ca.stdout).toContain("BEGIN CERTIFICATE");
  });

  it("the control-plane node keeps the cluster's PKI at /etc/kubernetes/pki, with kubeadm's names", async () => {
    const listing = await nodeExec(
      "kubedrill-control-plane",
      "ls",
      "/etc/kubernetes/pki",
      "/etc/kubernetes/pki/etcd",
    );
    expect(listing.exitCode).toBe(0);
    const files = listing.stdout.split(/\s+/);
    for (const file of [
      "ca.crt",
      "ca.key",
      "apiserver.crt",
      "apiserver-etcd-client.crt",
      "sa.key",
      "sa.pub",
    ]) {
      expect(files, file).toContain(file);
    }
    for (const file of ["server.crt", "peer.crt", "healthcheck-client.crt"])
      expect(files, `etcd/${file}`).toContain(file);
  });

  it("kube-system has kubeadm-config and kubelet-config, kube-public has cluster-info", async () => {
    const config = await kubectl(
      "-n",
      "kube-system",
      "get",
      "configmap",
      "kubeadm-config",
      "-o",
      "jsonpath={.data.ClusterConfiguration}",
    );
    expect(config.stderr).toBe("");
    expect(config.stdout).toContain("kubernetesVersion: v1.33.13");
    expect(config.stdout).toContain("podSubnet: 10.244.0.0/16");
    expect(config.stdout).toContain("serviceSubnet: 10.96.0.0/16");
    expect(config.stdout).toContain("dataDir: /var/lib/etcd");
    expect(config.stdout).toMatch(/controlPlaneEndpoint: 127\.0\.0\.1:\d+/);
    const kubelet = await kubectl(
      "-n",
      "kube-system",
      "get",
      "configmap",
      "kubelet-config",
      "-o",
      "jsonpath={.data.kubelet}",
    );
    expect(kubelet.stdout).toContain("staticPodPath: /etc/kubernetes/manifests");
    const info = await kubectl(
      "-n",
      "kube-public",
      "get",
      "configmap",
      "cluster-info",
      "-o",
      "jsonpath={.data.kubeconfig}",
    );
    expect(info.stdout).toContain("certificate-authority-data:");
  });
});
