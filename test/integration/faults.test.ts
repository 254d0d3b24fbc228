import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Component, componentNames, localPaths } from "../../src/cluster/local/components.js";
import { processesIn, stopProcess } from "../../src/cluster/local/processes.js";
import { readState } from "../../src/cluster/local/state.js";
import { poll } from "../../src/model/poll.js";
import { repoRoot, testEnv } from "./paths.js";

// The fault suite: a local cluster of its own, in a temporary folder, hit with real kill
// signals, interrupted and concurrent starts. The default run takes a subset;
// `npm run test:faults` (KUBEDRILL_FAULTS=full) runs all of it.

const full = process.env.KUBEDRILL_FAULTS === "full";
const cli = join(repoRoot, "dist", "cli", "main.js");
const minutes = (n: number) => n * 60_000;

let scratch: string;
let env: Record<string, string>;
let paths: ReturnType<typeof localPaths>;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-faults-"));
  env = {
    KUBEDRILL_STATE_DIR: join(scratch, "state"),
    KUBECONFIG: join(scratch, "kubeconfig"),
    NO_COLOR: "1",
  };
  paths = localPaths(env.KUBEDRILL_STATE_DIR);
});

afterAll(async () => {
  if (!env) return;
  await kubedrill("cluster", "down", "--driver", "local");
  await rm(scratch, { recursive: true, force: true });
}, minutes(2));

const kubedrill = (...args: string[]) =>
  execa(process.execPath, [cli, ...args], { reject: false, env: { ...process.env, ...env }, all: true });
const up = () => kubedrill("cluster", "up", "--driver", "local");
const kubectl = (...args: string[]) =>
  execa("kubectl", args, { reject: false, env: { ...process.env, ...env }, all: true });

async function expectHealthy(): Promise<void> {
  const status = await kubedrill("cluster", "status", "--driver", "local");
  expect(status.exitCode, status.all).toBe(0);
  const nodes = await kubectl(
    "get",
    "nodes",
    "-o",
    'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
  );
  expect(nodes.stdout.split("\n").sort()).toEqual([
    "kubedrill-control-plane=True",
    "kubedrill-worker2=True",
    "kubedrill-worker=True",
  ]);
  // Exactly one process per component: no orphan from an interrupted or concurrent run.
  const running = processesIn(paths.root).map((p) => p.component);
  expect(running.sort()).toEqual([...componentNames].sort());
}

const pidOf = (name: Component) => processesIn(paths.root).find((p) => p.component === name)?.pid;

describe("local cluster faults", () => {
  it(
    `up and down ${full ? 20 : 2} times, with a valid state file after each up and nothing left after each down`,
    async () => {
      const rounds = full ? 20 : 2;
      const results: string[] = [];
      for (let round = 1; round <= rounds; round++) {
        const started = await up();
        expect(started.exitCode, started.all).toBe(0);
        const state = readState(paths);
        expect(state?.version).toBe(2);
        expect(state?.identity).toMatch(/^[0-9a-f-]{36}$/);
        expect(Object.keys(state?.components ?? {}).sort()).toEqual([...componentNames].sort());
        const stopped = await kubedrill("cluster", "down", "--driver", "local");
        expect(stopped.exitCode, stopped.all).toBe(0);
        expect(existsSync(paths.root)).toBe(false);
        expect(processesIn(paths.root)).toEqual([]);
        results.push(`round ${round}: up ok, state valid, down ok`);
      }
      console.log(`[faults] up/down loop: ${results.length} of ${rounds} rounds clean`);
    },
    minutes(full ? 20 : 4),
  );

  it(
    "keeps its files private: 0700 folders, 0600 keys and credentials; etcd refuses clients without a certificate",
    async () => {
      const started = await up();
      expect(started.exitCode, started.all).toBe(0);
      const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
      for (const dir of [paths.root, paths.pki, join(paths.pki, "etcd"), paths.logs, paths.etcdData]) {
        expect(mode(dir), dir).toBe("700");
      }
      const secrets = [
        paths.kubeconfig,
        paths.stateFile,
        ...["ca", "apiserver", "admin", "apiserver-etcd-client"].flatMap((n) => [`${n}.key`, `${n}.crt`]),
        ...["ca", "server", "peer", "healthcheck-client"].flatMap((n) => [`etcd/${n}.key`, `etcd/${n}.crt`]),
        "sa.key",
        "sa.pub",
      ].map((f) => (f.startsWith("/") ? f : join(paths.pki, f)));
      for (const file of secrets) expect(mode(file), file).toBe("600");
      expect(mode(join(scratch, "kubeconfig"))).toBe("600");

      const etcd = readState(paths)?.ports.etcd;
      const plain = await fetch(`http://127.0.0.1:${etcd}/health`).catch((err: Error) => err);
      expect(plain).toBeInstanceOf(Error);
      const ca = await readFile(join(paths.pki, "etcd/ca.crt"));
      const ask = (tls: object) =>
        new Promise<number | string>((resolve) => {
          const req = request(`https://127.0.0.1:${etcd}/health`, { ca, ...tls }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
          req.end();
        });
      expect(await ask({})).not.toBe(200);
      const client = {
        cert: await readFile(join(paths.pki, "etcd/healthcheck-client.crt")),
        key: await readFile(join(paths.pki, "etcd/healthcheck-client.key")),
      };
      expect(await ask(client)).toBe(200);
    },
    minutes(3),
  );

  it(
    "kill -9 of components: status says so at once, up restarts them on the same data, a marker ConfigMap survives",
    async () => {
      expect((await up()).exitCode).toBe(0);
      const marker = `marker-${Date.now()}`;
      expect((await kubectl("create", "configmap", marker, "--from-literal=kept=yes")).exitCode).toBe(0);
      const uid = (await kubectl("get", "configmap", marker, "-o", "jsonpath={.metadata.uid}")).stdout;
      // The default run kills every component at once; the full suite each one in turn.
      const rounds: Component[][] = full ? componentNames.map((c) => [c]) : [[...componentNames]];
      for (const victims of rounds) {
        for (const name of victims) process.kill(pidOf(name) as number, "SIGKILL");
        await sleep(200);
        const status = await kubedrill("cluster", "status", "--driver", "local");
        expect(status.exitCode, status.all).toBe(3);
        for (const name of victims)
          expect(status.stdout).toMatch(new RegExp(`^${name}\\s+FAILED\\s+not running`, "m"));
        const repaired = await up();
        expect(repaired.exitCode, repaired.all).toBe(0);
        expect(repaired.stdout).toContain("the cluster's objects were kept");
        await expectHealthy();
        const kept = await kubectl("get", "configmap", marker, "-o", "jsonpath={.metadata.uid}");
        expect(kept.stdout, `ConfigMap ${marker} after killing ${victims.join(", ")}`).toBe(uid);
        console.log(
          `[faults] killed ${victims.join(", ")} → up → ${repaired.stdout.split("\n")[0]}; ${marker} kept`,
        );
      }
    },
    minutes(full ? 12 : 4),
  );

  it(
    "check with the API server down says so in one line, with kube-apiserver's last log line, and exits 3",
    async () => {
      expect((await up()).exitCode).toBe(0);
      process.kill(pidOf("kube-apiserver") as number, "SIGKILL");
      const { exitCode, stderr } = await kubedrill("check", "deploy-rollback");
      expect(exitCode).toBe(3);
      expect(stderr).toMatch(
        /the API server of kubedrill-local is not answering; kube-apiserver on kubedrill-control-plane exited: \S/,
      );
      expect(stderr).not.toMatch(/^\s+at /m);
      expect((await up()).exitCode).toBe(0);
      await expectHealthy();
    },
    minutes(3),
  );

  it(
    "doctor reports a dead etcd and a dead kwok at once, from their processes, and still prints its report",
    async () => {
      expect((await up()).exitCode).toBe(0);
      for (const name of ["etcd", "kwok"] as const) process.kill(pidOf(name) as number, "SIGKILL");
      await sleep(200);
      const doctor = await kubedrill("doctor");
      expect(doctor.exitCode, doctor.all).toBe(3);
      expect(doctor.stdout).toMatch(/^✗ etcd\s+not running \(no process\)/m);
      expect(doctor.stdout).toMatch(/^✗ kwok\s+not running \(no process\)/m);
      expect(doctor.stdout).toMatch(/^✓ kube-scheduler\s+pid \d+, answering$/m);
      expect(doctor.stdout).toContain(
        "fix: kubedrill cluster up restarts it and keeps the cluster's objects",
      );
      expect((await up()).exitCode).toBe(0);
      await expectHealthy();
    },
    minutes(3),
  );

  it(
    "an up killed part-way, then up: three Ready nodes and one process per component",
    async () => {
      // Kill points: after etcd is recorded, after the API server, and while nodes register.
      const points: Component[] = full ? ["etcd", "kube-apiserver", "static-pods"] : ["kube-apiserver"];
      for (const point of points) {
        expect((await kubedrill("cluster", "down", "--driver", "local")).exitCode).toBe(0);
        const child = spawn(process.execPath, [cli, "cluster", "up", "--driver", "local"], {
          env: { ...process.env, ...env },
          stdio: "ignore",
        });
        const exited = new Promise((resolve) => child.once("exit", resolve));
        for (;;) {
          const state = existsSync(paths.stateFile) ? readState(paths) : undefined;
          if (state?.components[point]) break;
          await sleep(100);
        }
        child.kill("SIGKILL");
        await exited;
        const again = await up();
        expect(again.exitCode, again.all).toBe(0);
        await expectHealthy();
        console.log(`[faults] up killed once ${point} was recorded → up → healthy`);
      }
    },
    minutes(full ? 8 : 4),
  );

  it(
    "two concurrent ups end with one healthy cluster; the second waits, naming the holder and its pid",
    async () => {
      expect((await kubedrill("cluster", "down", "--driver", "local")).exitCode).toBe(0);
      const [first, second] = await Promise.all([up(), up()]);
      expect(first.exitCode, first.all).toBe(0);
      expect(second.exitCode, second.all).toBe(0);
      expect(`${first.all}\n${second.all}`).toMatch(/waiting for kubedrill cluster up \(pid \d+, since /);
      expect(`${first.stdout}\n${second.stdout}`).toContain("the local cluster is already running");
      await expectHealthy();
    },
    minutes(4),
  );

  it("down never stops another instance's process, even when a stale state file names its pid", async () => {
    const shared = processesIn(testEnv.KUBEDRILL_STATE_DIR).find((p) => p.component === "kube-apiserver");
    expect(shared, "the shared test cluster runs").toBeDefined();
    expect((await kubedrill("cluster", "down", "--driver", "local")).exitCode).toBe(0);
    const state = await mkStaleState(shared?.pid as number);
    const down = await kubedrill("cluster", "down", "--driver", "local");
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(state)).toBe(false);
    expect(processesIn(testEnv.KUBEDRILL_STATE_DIR).some((p) => p.pid === shared?.pid)).toBe(true);
  });
});

/** A state folder whose state file names a pid that belongs to another cluster. */
async function mkStaleState(pid: number): Promise<string> {
  await execa("mkdir", ["-p", "-m", "700", paths.root]);
  const ports = { etcd: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 };
  const components = Object.fromEntries(componentNames.map((c) => [c, { pid, binary: "kubedrill-cluster" }]));
  const state = { version: 2, ports, components, createdAt: new Date().toISOString() };
  await writeFile(paths.stateFile, JSON.stringify(state), { mode: 0o600 });
  return paths.stateFile;
}

// The node's services decide the node's health: a stopped, disabled or misconfigured
// kubelet stops heartbeating and the real node-lifecycle controller marks the node
// NotReady (grace period 50 s); fixing it makes it Ready. On this file's own cluster:
// a worker NotReady for minutes would stall the catalog's proofs on the shared one.

const node = "kubedrill-worker";
const configFile = () => join(paths.nodes, node, "var/lib/kubelet/config.yaml");
const journal = () => join(paths.nodes, node, "var/lib/kubedrill/journal/kubelet.log");
const nodeExec = (...argv: string[]) => kubedrill("node", "exec", node, "--", ...argv);

/** The Ready condition's status as kubectl shows it: True, Unknown or False. */
const readyStatus = async () =>
  (
    await kubectl("get", "node", node, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
  ).stdout.trim();

/** The Ready condition of the node's kube-proxy pod (a DaemonSet pod, so always there). */
const proxyPodReady = async () =>
  (
    await kubectl(
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
    )
  ).stdout.trim();

const becomes = (ready: boolean) =>
  poll(async () => ((await readyStatus()) === "True") === ready || undefined, {
    timeoutMs: 90_000,
    intervalMs: 2000,
  });

/** Leaves the node as it found it: kubelet enabled and running, config as before, Ready. */
async function restore(config: string) {
  await writeFile(configFile(), config);
  await nodeExec("systemctl", "enable", "--now", "kubelet");
  await nodeExec("systemctl", "restart", "kubelet");
  await becomes(true);
}

describe("the kubelet's state decides the node's Ready condition", () => {
  beforeAll(async () => {
    const started = await up();
    expect(started.exitCode, started.all).toBe(0);
  }, minutes(2));

  it("systemctl stop kubelet makes the node NotReady; systemctl start makes it Ready", async () => {
    const config = await readFile(configFile(), "utf8");
    onTestFinished(() => restore(config));
    expect((await nodeExec("systemctl", "stop", "kubelet")).exitCode).toBe(0);
    expect(await becomes(false)).toBe(true);
    const { stdout } = await kubectl("get", "node", node, "-o", "jsonpath={.spec.taints[*].key}");
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
    const config = await readFile(configFile(), "utf8");
    onTestFinished(() => restore(config));
    // An unknown field only warns (the kubelet falls back to lenient decoding); a wrong type fails.
    await writeFile(configFile(), `${config}maxPods: many\n`);
    // Read at start, as a real kubelet does: the edit alone changes nothing until the restart.
    expect((await nodeExec("systemctl", "restart", "kubelet")).exitCode).toBe(0);
    expect(await becomes(false)).toBe(true);
    const logged = await nodeExec("journalctl", "-u", "kubelet", "--no-pager");
    expect(logged.stdout).toContain(
      '"command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml, error:',
    );
    expect(logged.stdout).toContain("maxPods");
    expect(await readFile(journal(), "utf8")).toContain("kubelet.service: Failed with result 'exit-code'.");
    await writeFile(configFile(), config);
    expect((await nodeExec("systemctl", "restart", "kubelet")).exitCode).toBe(0);
    expect(await becomes(true)).toBe(true);
  }, 200_000);

  it("a disabled kubelet comes up inactive after a reboot (the node agents restarted by cluster up)", async () => {
    const config = await readFile(configFile(), "utf8");
    onTestFinished(() => restore(config));
    expect((await nodeExec("systemctl", "disable", "kubelet")).exitCode).toBe(0);
    expect((await nodeExec("systemctl", "is-active", "kubelet")).stdout.trim()).toBe("active");
    const root = paths.root;
    for (const p of processesIn(root).filter((p) => p.component === "static-pods"))
      await stopProcess(p.pid, root);
    const restarted = await up();
    expect(restarted.exitCode, restarted.all).toBe(0);
    // The agents read the unit's state once they have their API caches, moments after `up` returns.
    const inactive = await poll(
      async () => (await nodeExec("systemctl", "is-active", "kubelet")).exitCode === 3 || undefined,
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(inactive).toBe(true);
    expect(await becomes(false)).toBe(true);
  }, 200_000);
});
