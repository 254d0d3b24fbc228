import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it, onTestFinished } from "vitest";
import { localPaths } from "../../src/cluster/local/components.js";
import { processesIn, stopProcess } from "../../src/cluster/local/processes.js";
import { poll } from "../../src/model/poll.js";
import { repoRoot, testEnv } from "./paths.js";

// The node's services decide the node's health: a stopped, disabled or misconfigured
// kubelet stops heartbeating and the real node-lifecycle controller marks the node
// NotReady (grace period 50 s); fixing it makes it Ready. Observed with the real kubectl.

const cli = join(repoRoot, "dist", "cli", "main.js");
const node = "kubedrill-worker";
const configFile = join(testEnv.KUBEDRILL_STATE_DIR, "nodes", node, "var/lib/kubelet/config.yaml");
const journal = join(testEnv.KUBEDRILL_STATE_DIR, "nodes", node, "var/lib/kubedrill/journal/kubelet.log");

const nodeExec = (...argv: string[]) =>
  execa(process.execPath, [cli, "node", "exec", node, "--", ...argv], { env: testEnv, reject: false });

/** The Ready condition's status as kubectl shows it: True, Unknown or False. */
async function readyStatus(): Promise<string> {
  const { stdout } = await execa(
    "kubectl",
    ["get", "node", node, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
    { env: testEnv },
  );
  return stdout.trim();
}

/** The Ready condition of the node's kube-proxy pod (a DaemonSet pod, so always there). */
async function proxyPodReady(): Promise<string> {
  const { stdout } = await execa(
    "kubectl",
    [
      "-n",
      "kube-system",
      "get",
      "pods",
      "-l",
      "k8s-app=kube-proxy",
      "--field-selector",
      `spec.nodeName=${node}`,
      "-o",
      'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}',
    ],
    { env: testEnv },
  );
  return stdout.trim();
}

const becomes = (ready: boolean) =>
  poll(async () => ((await readyStatus()) === "True") === ready || undefined, {
    timeoutMs: 90_000,
    intervalMs: 2000,
  });

/** Leaves the node as it found it: kubelet enabled and running, config as before, Ready. */
async function restore(config: string) {
  await writeFile(configFile, config);
  await nodeExec("systemctl", "enable", "--now", "kubelet");
  await nodeExec("systemctl", "restart", "kubelet");
  await becomes(true);
}

describe("the kubelet's state decides the node's Ready condition", () => {
  it("systemctl stop kubelet makes the node NotReady; systemctl start makes it Ready", async () => {
    const config = await readFile(configFile, "utf8");
    onTestFinished(() => restore(config));
    expect((await nodeExec("systemctl", "stop", "kubelet")).exitCode).toBe(0);
    expect(await becomes(false)).toBe(true);
    const { stdout } = await execa("kubectl", ["get", "node", node, "-o", "jsonpath={.spec.taints[*].key}"], {
      env: testEnv,
    });
    expect(stdout).toContain("node.kubernetes.io/unreachable");
    // The node controller marks the node's pods not Ready; its kubelet, back, reports them Ready again.
    expect(await proxyPodReady()).toBe("False");
    expect((await nodeExec("systemctl", "start", "kubelet")).exitCode).toBe(0);
    expect(await becomes(true)).toBe(true);
    expect(
      await poll(async () => (await proxyPodReady()) === "True" || undefined, {
        timeoutMs: 30_000,
        intervalMs: 1000,
      }),
    ).toBe(true);
  }, 200_000);

  it("a config the kubelet cannot decode makes it NotReady, the journal says why, a fix and restart make it Ready", async () => {
    const config = await readFile(configFile, "utf8");
    onTestFinished(() => restore(config));
    // An unknown field only warns (the kubelet falls back to lenient decoding); a wrong type fails.
    await writeFile(configFile, `${config}maxPods: many\n`);
    // Read at start, as a real kubelet does: the edit alone changes nothing until the restart.
    expect((await nodeExec("systemctl", "restart", "kubelet")).exitCode).toBe(0);
    expect(await becomes(false)).toBe(true);
    const logged = await nodeExec("journalctl", "-u", "kubelet", "--no-pager");
    expect(logged.stdout).toContain(
      '"command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml, error:',
    );
    expect(logged.stdout).toContain("maxPods");
    expect(await readFile(journal, "utf8")).toContain("kubelet.service: Failed with result 'exit-code'.");
    await writeFile(configFile, config);
    expect((await nodeExec("systemctl", "restart", "kubelet")).exitCode).toBe(0);
    expect(await becomes(true)).toBe(true);
  }, 200_000);

  it("a disabled kubelet comes up inactive after a reboot (the node agents restarted by cluster up)", async () => {
    const config = await readFile(configFile, "utf8");
    onTestFinished(() => restore(config));
    expect((await nodeExec("systemctl", "disable", "kubelet")).exitCode).toBe(0);
    expect((await nodeExec("systemctl", "is-active", "kubelet")).stdout.trim()).toBe("active");
    const root = localPaths(testEnv.KUBEDRILL_STATE_DIR).root;
    for (const p of processesIn(root).filter((p) => p.component === "static-pods"))
      await stopProcess(p.pid, root);
    const up = await execa(process.execPath, [cli, "cluster", "up"], { env: testEnv, reject: false });
    expect(up.exitCode).toBe(0);
    // The agents read the unit's state once they have their API caches, moments after `up` returns.
    const inactive = await poll(
      async () => (await nodeExec("systemctl", "is-active", "kubelet")).exitCode === 3 || undefined,
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(inactive).toBe(true);
    expect(await becomes(false)).toBe(true);
  }, 200_000);
});
