import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  type Component,
  componentNames,
  localPaths,
  type StartedComponent,
  staticPodComponents,
} from "../../src/cluster/local/components.js";
import { processesIn, stopProcess } from "../../src/cluster/local/processes.js";
import { readState } from "../../src/cluster/local/state.js";
import { poll } from "../../src/model/poll.js";
import { repoRoot } from "./paths.js";

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
        // The control plane is the kubelet's to start; state records what `up` started itself.
        expect(Object.keys(state?.components ?? {}).sort()).toEqual(["kubelet", "kwok", "metrics-server"]);
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
        ...["ca", "apiserver", "admin", "apiserver-etcd-client", "apiserver-kubelet-client"].flatMap((n) => [
          `${n}.key`,
          `${n}.crt`,
        ]),
        ...["front-proxy-ca", "front-proxy-client"].flatMap((n) => [`${n}.key`, `${n}.crt`]),
        ...["admin", "super-admin", "controller-manager", "scheduler", "kubelet"].map((n) =>
          join(paths.controlPlane, `etc/kubernetes/${n}.conf`),
        ),
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
      // The default run kills every process at once, the kubelet first so that it restarts
      // nothing; the full suite kills each process `up` starts in turn.
      const started: StartedComponent[] = ["kubelet", "kwok", "metrics-server"];
      const rounds: Component[][] = full ? started.map((c) => [c]) : [[...componentNames]];
      for (const victims of rounds) {
        for (const name of victims) {
          const pid = pidOf(name);
          if (pid) process.kill(pid, "SIGKILL");
        }
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
    "kill -9 of a control-plane component: its kubelet starts it again, as a kubelet restarts a container",
    async () => {
      expect((await up()).exitCode).toBe(0);
      const victims = full ? staticPodComponents : (["kube-scheduler"] as const);
      for (const name of victims) {
        const before = pidOf(name) as number;
        process.kill(before, "SIGKILL");
        const back = await poll(
          async () => {
            const status = await kubedrill("cluster", "status", "--driver", "local");
            const pid = pidOf(name);
            return status.exitCode === 0 && pid !== undefined && pid !== before ? pid : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        expect(back, `${name} is serving again with a new process`).toBeDefined();
        const restarts = await poll(
          async () => {
            const { stdout } = await kubectl(
              "-n",
              "kube-system",
              "get",
              "pod",
              `${name}-kubedrill-control-plane`,
              "-o",
              "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode}",
            );
            return stdout === "1 137" ? stdout : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        expect(restarts, `${name}'s mirror pod: restartCount 1, last exit 137 (SIGKILL)`).toBe("1 137");
      }
    },
    minutes(3),
  );

  it(
    "doctor reports a dead kwok at once, from its process, and still prints its report",
    async () => {
      expect((await up()).exitCode).toBe(0);
      process.kill(pidOf("kwok") as number, "SIGKILL");
      await sleep(200);
      const doctor = await kubedrill("doctor");
      expect(doctor.exitCode, doctor.all).toBe(3);
      expect(doctor.stdout).toMatch(/^✗ kwok\s+not running \(no process\)/m);
      expect(doctor.stdout).toMatch(/^✓ kubelet\s+pid \d+, answering$/m);
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
      // Kill points: after the kubelet is recorded (the control plane starting), and while nodes register.
      const points: Component[] = full ? ["kubelet", "kwok"] : ["kubelet"];
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
    // This file's cluster, healthy after the test before, is the other instance.
    const theirs = pidOf("kube-apiserver");
    expect(theirs, "this file's cluster runs").toBeDefined();
    const other = localPaths(join(scratch, "other-state"));
    const state = await mkStaleState(other, theirs as number);
    const down = await execa(process.execPath, [cli, "cluster", "down", "--driver", "local"], {
      reject: false,
      env: {
        ...process.env,
        ...env,
        KUBEDRILL_STATE_DIR: other.root,
        KUBECONFIG: join(scratch, "other-kubeconfig"),
      },
      all: true,
    });
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(state)).toBe(false);
    expect(pidOf("kube-apiserver")).toBe(theirs);
  });
});

/** A state folder whose state file names a pid that belongs to another cluster. */
async function mkStaleState(paths: ReturnType<typeof localPaths>, pid: number): Promise<string> {
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

  it("a disabled kubelet comes up inactive after a reboot (the kubelet process restarted by cluster up)", async () => {
    const config = await readFile(configFile(), "utf8");
    onTestFinished(() => restore(config));
    expect((await nodeExec("systemctl", "disable", "kubelet")).exitCode).toBe(0);
    expect((await nodeExec("systemctl", "is-active", "kubelet")).stdout.trim()).toBe("active");
    const root = paths.root;
    for (const p of processesIn(root).filter((p) => p.component === "kubelet"))
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

// The control plane runs from kubeadm's static-pod manifests on kubedrill-control-plane,
// as the exam's troubleshooting tasks break and fix it: on this file's own cluster, as a
// broken scheduler or API server would stall every other test on the shared one.

const controlPlane = "kubedrill-control-plane";
const cpExec = (...argv: string[]) => kubedrill("node", "exec", controlPlane, "--", ...argv);
const manifest = (name: string) => `/etc/kubernetes/manifests/${name}.yaml`;

/** The mirror pod's Ready condition and its container's state, as `kubectl get pod` shows them. */
const mirrorPod = async (name: string) => {
  const { stdout } = await kubectl(
    "-n",
    "kube-system",
    "get",
    "pod",
    `${name}-${controlPlane}`,
    "-o",
    'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].state.waiting.reason}',
  );
  return stdout.trim();
};

// A file the controller manager cannot open, and its fix, as sed expressions.
const breakRootCa =
  "s#--root-ca-file=/etc/kubernetes/pki/ca.crt#--root-ca-file=/etc/kubernetes/pki/missing.crt#";
const fixRootCa =
  "s#--root-ca-file=/etc/kubernetes/pki/missing.crt#--root-ca-file=/etc/kubernetes/pki/ca.crt#";

/** Runs a step that puts back what a test broke, whatever the test's outcome. */
const undo = (step: () => Promise<unknown>) =>
  onTestFinished(async () => {
    await step();
  });

const until = <T>(check: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  poll(check, { timeoutMs, intervalMs: 500 });

describe("the control plane runs from its static-pod manifests", () => {
  beforeAll(async () => {
    const started = await up();
    expect(started.exitCode, started.all).toBe(0);
  }, minutes(2));

  it("kube-system has the four mirror pods with kubeadm's labels, Running and Ready, and their logs", async () => {
    const names = staticPodComponents.map((c) => `${c}-${controlPlane}`);
    const ready = await until(async () => {
      const { stdout } = await kubectl(
        "-n",
        "kube-system",
        "get",
        "pods",
        "-l",
        "tier=control-plane",
        "-o",
        'jsonpath={range .items[*]}{.metadata.name} {.metadata.labels.component} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      );
      const lines = stdout.trim().split("\n").sort();
      const want = staticPodComponents.map((c) => `${c}-${controlPlane} ${c} Running True`).sort();
      return JSON.stringify(lines) === JSON.stringify(want) ? lines : undefined;
    });
    expect(ready, `mirror pods ${names.join(", ")}`).toBeDefined();
    const logs = await kubectl("-n", "kube-system", "logs", `kube-scheduler-${controlPlane}`);
    expect(logs.exitCode, logs.all).toBe(0);
    expect(logs.stdout).toMatch(/^I\d{4} [\d:.]+ +\d+ .*\.go:\d+\]/m);
    const listed = await cpExec("crictl", "ps", "--name", "kube-apiserver");
    expect(listed.stdout).toMatch(/kube-apiserver\s+0\s+\w+\s+kube-apiserver-kubedrill-control-plane/);
  });

  it(
    "a bad flag in the scheduler's manifest: CrashLoopBackOff and a new pod stays Pending; the fix schedules it",
    async () => {
      undo(() => cpExec("sed", "-i", "/--no-such-flag/d", manifest("kube-scheduler")));
      const edit = await cpExec(
        "sed",
        "-i",
        "s/- --bind-address=127.0.0.1/- --bind-address=127.0.0.1\\n    - --no-such-flag=1/",
        manifest("kube-scheduler"),
      );
      expect(edit.exitCode, edit.all).toBe(0);
      expect(
        await until(
          async () => (await mirrorPod("kube-scheduler")) === "False CrashLoopBackOff" || undefined,
        ),
      ).toBe(true);
      const logs = await kubectl("-n", "kube-system", "logs", `kube-scheduler-${controlPlane}`);
      expect(logs.stdout).toContain("unknown flag: --no-such-flag");
      const pod = `probe-${Date.now()}`;
      undo(() => kubectl("delete", "pod", pod, "--wait=false"));
      expect((await kubectl("run", pod, "--image=nginx")).exitCode).toBe(0);
      await sleep(3000);
      const nodeName = () => kubectl("get", "pod", pod, "-o", "jsonpath={.spec.nodeName}");
      expect((await nodeName()).stdout, "no scheduler: the pod is not bound").toBe("");
      expect((await cpExec("sed", "-i", "/--no-such-flag/d", manifest("kube-scheduler"))).exitCode).toBe(0);
      expect(await until(async () => (await nodeName()).stdout || undefined, 30_000)).toMatch(/^kubedrill-/);
      expect(await until(async () => (await mirrorPod("kube-scheduler")) === "True" || undefined)).toBe(true);
    },
    minutes(3),
  );

  it(
    "moving the scheduler's manifest out stops it and removes its mirror pod; moving it back starts it",
    async () => {
      undo(() =>
        cpExec(
          "sh",
          "-c",
          `test -f /root/kube-scheduler.yaml && mv /root/kube-scheduler.yaml ${manifest("kube-scheduler")}`,
        ),
      );
      expect((await cpExec("mv", manifest("kube-scheduler"), "/root/kube-scheduler.yaml")).exitCode).toBe(0);
      expect(await until(async () => pidOf("kube-scheduler") === undefined || undefined, 20_000)).toBe(true);
      expect(await until(async () => (await mirrorPod("kube-scheduler")) === "" || undefined, 20_000)).toBe(
        true,
      );
      const status = await kubedrill("cluster", "status", "--driver", "local");
      expect(status.stdout).toMatch(
        /^kube-scheduler\s+FAILED\s+not running \(no process\): no static pod named kube-scheduler/m,
      );
      expect((await cpExec("mv", "/root/kube-scheduler.yaml", manifest("kube-scheduler"))).exitCode).toBe(0);
      expect(await until(async () => (await mirrorPod("kube-scheduler")) === "True" || undefined)).toBe(true);
    },
    minutes(2),
  );

  it(
    "a bad flag in the controller manager's manifest: a new Deployment gets no ReplicaSet until it is fixed",
    async () => {
      undo(() => cpExec("sed", "-i", fixRootCa, manifest("kube-controller-manager")));
      // A file the component cannot open: the exam's other favourite after a misspelt flag.
      const edit = await cpExec("sed", "-i", breakRootCa, manifest("kube-controller-manager"));
      expect(edit.exitCode, edit.all).toBe(0);
      expect(
        await until(
          async () => (await mirrorPod("kube-controller-manager")).startsWith("False") || undefined,
        ),
      ).toBe(true);
      const deployment = `probe-${Date.now()}`;
      undo(() => kubectl("delete", "deployment", deployment, "--wait=false"));
      expect((await kubectl("create", "deployment", deployment, "--image=nginx")).exitCode).toBe(0);
      await sleep(3000);
      const replicaSets = () => kubectl("get", "rs", "-l", `app=${deployment}`, "-o", "name");
      expect((await replicaSets()).stdout, "no controller manager: no ReplicaSet").toBe("");
      const fix = await cpExec("sed", "-i", fixRootCa, manifest("kube-controller-manager"));
      expect(fix.exitCode).toBe(0);
      expect(await until(async () => (await replicaSets()).stdout || undefined, 30_000)).toMatch(
        /^replicaset/,
      );
    },
    minutes(3),
  );

  it(
    "a file the controller manager's flag names, made while it crash-loops, is found at its next start",
    async () => {
      undo(() => cpExec("rm", "-f", "/etc/kubernetes/pki/missing.crt"));
      undo(() => cpExec("sed", "-i", fixRootCa, manifest("kube-controller-manager")));
      const edit = await cpExec("sed", "-i", breakRootCa, manifest("kube-controller-manager"));
      expect(edit.exitCode, edit.all).toBe(0);
      expect(
        await until(
          async () => (await mirrorPod("kube-controller-manager")) === "False CrashLoopBackOff" || undefined,
        ),
      ).toBe(true);
      // As a kubelet restarts a container, and the component opens its files again: the manifest is unchanged.
      const copy = await cpExec("cp", "/etc/kubernetes/pki/ca.crt", "/etc/kubernetes/pki/missing.crt");
      expect(copy.exitCode, copy.all).toBe(0);
      expect(
        await until(async () => (await mirrorPod("kube-controller-manager")) === "True" || undefined, 90_000),
      ).toBe(true);
    },
    minutes(3),
  );

  it(
    "an API-server manifest typo: check exits 3 with its last log line in one line; the fix brings the API back",
    async () => {
      const typo = "s/--allow-privileged=true/--allow-privileged=ture/";
      undo(() =>
        cpExec("sed", "-i", "s/--allow-privileged=ture/--allow-privileged=true/", manifest("kube-apiserver")),
      );
      expect((await cpExec("sed", "-i", typo, manifest("kube-apiserver"))).exitCode).toBe(0);
      const down = await until(
        async () => (await kubectl("get", "--raw", "/readyz")).exitCode !== 0 || undefined,
      );
      expect(down, "the API server stops answering").toBe(true);
      const checked = await until(async () => {
        const result = await kubedrill("check", "deploy-rollback");
        return /exited: Error: invalid argument "ture" for "--allow-privileged"/.test(result.stderr)
          ? result
          : undefined;
      }, 30_000);
      expect(checked?.exitCode).toBe(3);
      expect(checked?.stderr).toMatch(
        /^kubedrill: the API server of kubedrill-local is not answering; kube-apiserver on kubedrill-control-plane exited: Error: invalid argument "ture" for "--allow-privileged" flag/m,
      );
      expect(checked?.stderr).not.toMatch(/^\s+at /m);
      expect(
        (
          await cpExec(
            "sed",
            "-i",
            "s/--allow-privileged=ture/--allow-privileged=true/",
            manifest("kube-apiserver"),
          )
        ).exitCode,
      ).toBe(0);
      expect(
        await until(async () => (await kubectl("get", "--raw", "/readyz")).exitCode === 0 || undefined),
      ).toBe(true);
    },
    minutes(3),
  );

  it(
    "etcdctl snapshot save and etcdutl restore into a new data dir: an object made after the snapshot is gone",
    async () => {
      const certs = [
        "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
        "--cert=/etc/kubernetes/pki/etcd/server.crt",
        "--key=/etc/kubernetes/pki/etcd/server.key",
      ];
      const before = `before-${Date.now()}`;
      expect((await kubectl("create", "configmap", before)).exitCode).toBe(0);
      const saved = await cpExec(
        "etcdctl",
        "--endpoints=https://127.0.0.1:2379",
        ...certs,
        "snapshot",
        "save",
        "/opt/snap.db",
      );
      expect(saved.exitCode, saved.all).toBe(0);
      expect(saved.stdout).toContain("Snapshot saved at /opt/snap.db");
      const status = await cpExec("etcdutl", "snapshot", "status", "/opt/snap.db", "-w", "table");
      expect(status.stdout).toMatch(/\|\s+HASH\s+\|\s+REVISION\s+\|\s+TOTAL KEYS\s+\|\s+TOTAL SIZE\s+\|/);
      const after = `after-${Date.now()}`;
      expect((await kubectl("create", "configmap", after)).exitCode).toBe(0);
      const restored = await cpExec(
        "etcdutl",
        "snapshot",
        "restore",
        "/opt/snap.db",
        "--data-dir",
        "/var/lib/etcd-from-backup",
      );
      expect(restored.exitCode, restored.all).toBe(0);
      // As the exam's solution does it: point the etcd-data hostPath volume at the restored folder.
      const edit = await cpExec(
        "sed",
        "-i",
        "s#path: /var/lib/etcd$#path: /var/lib/etcd-from-backup#",
        manifest("etcd"),
      );
      expect(edit.exitCode, edit.all).toBe(0);
      // Under a full test run's load, etcd's restart on the restored folder has taken over a minute.
      const gone = await until(async () => {
        const got = await kubectl("get", "configmap", after);
        return got.exitCode !== 0 && got.stderr.includes("NotFound") ? true : undefined;
      }, 150_000);
      expect(gone, `ConfigMap ${after} is gone after the restore`).toBe(true);
      expect((await kubectl("get", "configmap", before)).exitCode).toBe(0);
      expect(await until(async () => (await mirrorPod("etcd")) === "True" || undefined)).toBe(true);
    },
    minutes(5),
  );

  it("node exec reaches a worker's files: kubelet.conf", async () => {
    const conf = await kubedrill(
      "node",
      "exec",
      "kubedrill-worker",
      "--",
      "cat",
      "/etc/kubernetes/kubelet.conf",
    );
    expect(conf.exitCode, conf.all).toBe(0);
    expect(conf.stdout).toContain("user: system:node:kubedrill-worker");
  });
});
