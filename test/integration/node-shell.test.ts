import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it, onTestFinished } from "vitest";
import { LocalNodeAccess } from "../../src/cluster/node-access/index.js";
import { repoRoot, testEnv } from "./paths.js";

// A learner on a local node, as on a kind node through docker exec: the built CLI's
// `node exec` enters the node's namespace, where /etc/kubernetes is the node's and
// systemctl, journalctl and etcdctl answer.

const cli = join(repoRoot, "dist", "cli", "main.js");
const nodeFolder = (node: string, path: string) => join(testEnv.KUBEDRILL_STATE_DIR, "nodes", node, path);

/** Through the built CLI, as a learner or a solution script runs it. */
function kubedrillNodeExec(node: string, ...argv: string[]) {
  return execa(process.execPath, [cli, "node", "exec", node, "--", ...argv], {
    env: testEnv,
    reject: false,
    stdin: "ignore",
    stripFinalNewline: false,
  });
}

/** Through node access in this process (what setup steps and checks use): the same binary, without the CLI's start. */
const onNode = (node: string, ...argv: string[]) => new LocalNodeAccess().exec(node, argv);

describe("kubedrill node exec on the local cluster", () => {
  it("reads the node's own files at their real paths, under the node's hostname", async () => {
    const config = await kubedrillNodeExec("kubedrill-worker", "cat", "/var/lib/kubelet/config.yaml");
    expect(config.stderr).toBe("");
    expect(config.stdout).toBe(
      await readFile(nodeFolder("kubedrill-worker", "/var/lib/kubelet/config.yaml"), "utf8"),
    );
    const hostname = await kubedrillNodeExec("kubedrill-worker", "hostname");
    expect(hostname.stdout.trim()).toBe("kubedrill-worker");
  });

  it("passes the command's exit code through, and writes land in the node's folder", async () => {
    const written = await onNode(
      "kubedrill-worker2",
      "sh",
      "-c",
      "echo from-the-node > /root/note.txt; exit 7",
    );
    onTestFinished(() => rm(nodeFolder("kubedrill-worker2", "/root/note.txt"), { force: true }));
    expect(written.exitCode).toBe(7);
    expect(await readFile(nodeFolder("kubedrill-worker2", "/root/note.txt"), "utf8")).toBe("from-the-node\n");
  });

  it("systemctl stops the kubelet as systemd does: is-active says inactive with exit 3, the journal says why", async () => {
    onTestFinished(async () => {
      await onNode("kubedrill-worker", "systemctl", "start", "kubelet");
    });
    expect((await onNode("kubedrill-worker", "systemctl", "stop", "kubelet")).exitCode).toBe(0);
    const active = await onNode("kubedrill-worker", "systemctl", "is-active", "kubelet");
    expect([active.stdout.trim(), active.exitCode]).toEqual(["inactive", 3]);
    const state = await readFile(
      nodeFolder("kubedrill-worker", "/var/lib/kubedrill/services/kubelet.active"),
      "utf8",
    );
    expect(state).toBe("inactive\n");
    const status = await onNode("kubedrill-worker", "systemctl", "status", "kubelet");
    expect(status.exitCode).toBe(3);
    expect(status.stdout).toMatch(/^○ kubelet\.service - kubelet: The Kubernetes Node Agent\n/);
    expect(status.stdout).toContain("Active: inactive (dead) since");
    const journal = await onNode("kubedrill-worker", "journalctl", "-u", "kubelet", "-n", "5", "--no-pager");
    const lines = journal.stdout.trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.at(-1)).toMatch(
      /^\w{3} \d\d \d\d:\d\d:\d\d kubedrill-worker systemd\[1\]: Stopped kubelet\.service - kubelet: The Kubernetes Node Agent\.$/,
    );

    expect((await onNode("kubedrill-worker", "systemctl", "start", "kubelet")).exitCode).toBe(0);
    const again = await onNode("kubedrill-worker", "systemctl", "is-active", "kubelet");
    expect([again.stdout.trim(), again.exitCode]).toEqual(["active", 0]);
  });

  it("has the real etcdctl and etcdutl of the cluster's etcd release", async () => {
    const etcdctl = await onNode("kubedrill-control-plane", "etcdctl", "version");
    expect(etcdctl.exitCode).toBe(0);
    expect(etcdctl.stdout).toContain("etcdctl version: 3.5.21");
    const etcdutl = await onNode("kubedrill-control-plane", "etcdutl", "version");
    expect(etcdutl.stdout).toContain("etcdutl version: 3.5.21");
  });

  it("crictl lists the node's pods from the API", async () => {
    const pods = await onNode("kubedrill-worker", "crictl", "pods");
    expect(pods.stderr).toBe("");
    expect(pods.stdout).toMatch(/^POD ID +CREATED +STATE +NAME +NAMESPACE +ATTEMPT +RUNTIME\n/);
  });
});
