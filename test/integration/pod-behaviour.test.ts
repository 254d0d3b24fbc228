import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "./paths.js";
import { until } from "./until.js";

// Pods on the local cluster as a kubelet reports them, decided from the pod spec
// (scripts/local-cluster/stages/pod*.yaml): native sidecars keep running beside the
// app, a failing command crash-loops with the kubelet's back-off.

const env = { ...process.env, ...testEnv };
const namespace = "podsim-test";
const kubectl = (...args: string[]) => execa("kubectl", ["-n", namespace, ...args], { env, reject: false });

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state: {
    running?: object;
    terminated?: { reason: string; exitCode: number };
    waiting?: { reason: string; message?: string };
  };
  lastState: { terminated?: { reason: string; exitCode: number } };
}
interface PodStatus {
  phase: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

async function podStatus(name: string): Promise<PodStatus | undefined> {
  const got = await kubectl("get", "pod", name, "-o", "json");
  return got.exitCode === 0 ? JSON.parse(got.stdout).status : undefined;
}

/** Polls until the pod's status satisfies the predicate; returns that status. */
async function waitFor(name: string, ok: (status: PodStatus) => boolean, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  let status: PodStatus | undefined;
  while (Date.now() < deadline) {
    status = await podStatus(name);
    if (status && ok(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`pod ${name} did not get there in ${seconds}s; last status: ${JSON.stringify(status)}`);
}

/** The messages of a pod's events with this reason, space-separated ("" for none yet). */
const eventMessages = async (pod: string, reason: string) =>
  (
    await kubectl(
      "get",
      "events",
      "--field-selector",
      `involvedObject.name=${pod},reason=${reason}`,
      "-o",
      "jsonpath={.items[*].message}",
    )
  ).stdout;

const apply = (manifest: string) => execa("kubectl", ["apply", "-f", "-"], { env, input: manifest });

beforeAll(async () => {
  await execa("kubectl", ["create", "namespace", namespace], { env, reject: false });
});
afterAll(async () => {
  await execa("kubectl", ["delete", "namespace", namespace, "--wait=false"], { env, reject: false });
});

describe("pod behaviour on the local cluster", () => {
  it("keeps a native sidecar running beside the app, while an ordinary init container completes", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: with-sidecar, namespace: ${namespace}}
spec:
  initContainers:
  - {name: setup, image: "busybox:1.36", command: [sh, -c, "echo ready > /work/ready"]}
  - {name: logger, image: "busybox:1.36", restartPolicy: Always, command: [sh, -c, "tail -F /var/log/app.log"]}
  containers:
  - {name: app, image: "busybox:1.36", command: [sleep, "3600"]}
`);
    const status = await waitFor(
      "with-sidecar",
      (s) => s.phase === "Running" && s.containerStatuses?.[0]?.ready === true,
      30,
    );
    const init = Object.fromEntries((status.initContainerStatuses ?? []).map((c) => [c.name, c]));
    expect(init.setup?.state.terminated?.reason).toBe("Completed");
    expect(init.logger?.state.running).toBeDefined();
    expect(init.logger?.state.terminated).toBeUndefined();
    expect(init.logger?.ready).toBe(true);
  });

  it("crash-loops a failing command: Error, then CrashLoopBackOff with restartCount growing and the exit code kept", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "busybox:1.36", command: [sh, -c, "echo starting; exit 3"]}
`);
    const first = await waitFor(
      "crasher",
      (s) => s.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
      15,
    );
    const app = (first.containerStatuses ?? [])[0];
    expect(app?.restartCount).toBe(1);
    expect(app?.lastState.terminated).toMatchObject({ reason: "Error", exitCode: 3 });
    expect(app?.state.waiting?.message).toMatch(/^back-off 10s restarting failed container=app pod=crasher_/);
    // The kubelet's back-off: the next run starts 10 s later, and the one after waits 20 s.
    const second = await waitFor("crasher", (s) => s.containerStatuses?.[0]?.restartCount === 2, 20);
    expect(second.containerStatuses?.[0]?.state.waiting?.message ?? "").toMatch(/^(back-off 20s|$)/);
    const table = await kubectl("get", "pod", "crasher");
    expect(table.stdout).toMatch(/crasher\s+0\/1\s+(CrashLoopBackOff|Error)\s+2/);
  }, 60_000);

  it("ends a failing pod with restartPolicy Never as Failed with the command's exit code, and a `false` command too", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: fails-once, namespace: ${namespace}}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: "busybox:1.36", command: ["false"]}
`);
    const status = await waitFor("fails-once", (s) => s.phase === "Failed", 15);
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({ reason: "Error", exitCode: 1 });
    expect(status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it("restarts a bare pod whose command completes, as a kubelet does under restartPolicy Always; Never ends it Succeeded", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: echoes, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "busybox:1.36", command: [sh, -c, "echo hello"]}
---
apiVersion: v1
kind: Pod
metadata: {name: echoes-once, namespace: ${namespace}}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: "busybox:1.36", command: [echo, hello]}
`);
    const looping = await waitFor(
      "echoes",
      (s) => s.containerStatuses?.[0]?.state.waiting?.reason === "CrashLoopBackOff",
      15,
    );
    expect(looping.containerStatuses?.[0]?.lastState.terminated).toMatchObject({
      reason: "Completed",
      exitCode: 0,
    });
    const once = await waitFor("echoes-once", (s) => s.phase === "Succeeded", 15);
    expect(once.containerStatuses?.[0]?.state.terminated).toMatchObject({ reason: "Completed", exitCode: 0 });
  });

  it("lets the Job controller fail a Job whose pods fail, honouring backoffLimit", async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: failing-job, namespace: ${namespace}}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: app, image: "busybox:1.36", command: [sh, -c, "exit 2"]}
`);
    const deadline = Date.now() + 40_000;
    let job: {
      status?: { failed?: number; conditions?: { type: string; status: string; reason?: string }[] };
    } = {};
    while (Date.now() < deadline) {
      job = JSON.parse((await kubectl("get", "job", "failing-job", "-o", "json")).stdout);
      if (job.status?.conditions?.some((c) => c.type === "Failed" && c.status === "True")) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(job.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }),
    );
    expect(job.status?.failed).toBe(2);
  }, 60_000);

  it("still runs a container whose command does not fail", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: sleeper, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "busybox:1.36", command: [sh, -c, "echo hi; sleep 3600"]}
`);
    const status = await waitFor(
      "sleeper",
      (s) => s.phase === "Running" && s.containerStatuses?.[0]?.ready === true,
      15,
    );
    expect(status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it("fails to start a container whose executable is not in its image: StartError, then RunContainerError and CrashLoopBackOff with restartCount growing", async () => {
    // Each failed start shows RunContainerError before its back-off: watch the first two.
    const watch = execa(
      "kubectl",
      [
        "-n",
        namespace,
        "get",
        "pods",
        "--field-selector=metadata.name=no-such-command",
        "-w",
        "-o",
        'jsonpath={.status.containerStatuses[0].state.waiting.reason}{"\\n"}',
      ],
      { env, reject: false, timeout: 14_000 },
    );
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: no-such-command, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "busybox:1.36", command: [nonexistent, --serve]}
`);
    const message =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nonexistent": executable file not found in $PATH: unknown';
    const reasons = await watch;
    expect(reasons.stdout.split("\n")).toEqual(
      expect.arrayContaining(["RunContainerError", "CrashLoopBackOff"]),
    );
    // Two starts by now (at once, then after 10 s), each ended in StartError; the next waits 20 s.
    const status = await waitFor(
      "no-such-command",
      (s) =>
        s.containerStatuses?.[0]?.state.waiting?.reason === "CrashLoopBackOff" &&
        s.containerStatuses[0].restartCount === 2,
      15,
    );
    const app = status.containerStatuses?.[0];
    expect(status.phase).toBe("Running");
    expect(app?.ready).toBe(false);
    expect(app?.lastState.terminated).toMatchObject({ reason: "StartError", exitCode: 128, message });
    expect(app?.state.waiting?.message).toMatch(
      /^back-off 20s restarting failed container=app pod=no-such-command_/,
    );
    // It never ran, so it printed nothing, as on kind.
    const logs = await kubectl("logs", "no-such-command");
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toBe("");
    const failed = await until(
      "a Failed event for no-such-command",
      () => eventMessages("no-such-command", "Failed"),
      Boolean,
    );
    expect(failed).toContain(`Error: ${message}`);
  }, 60_000);

  it("ends a pod whose absolute command path is not in its image as Failed with StartError under restartPolicy Never", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: no-such-path, namespace: ${namespace}}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: "busybox:1.36", command: [/usr/bin/sleep, "3600"]}
`);
    const status = await waitFor("no-such-path", (s) => s.phase === "Failed", 15);
    expect(status.containerStatuses?.[0]?.state.terminated).toMatchObject({
      reason: "StartError",
      exitCode: 128,
      message:
        'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "/usr/bin/sleep": stat /usr/bin/sleep: no such file or directory: unknown',
    });
  });

  it("runs a container whose executable is in its image (args alone, an absolute path), and any command of an image the catalog does not describe", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: args-only, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "busybox:1.36", args: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: absolute-path, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "docker.io/library/busybox:1.36", command: [/bin/sh, -c, "sleep 3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: undescribed-image, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: "ubuntu:24.04", command: [my-server]}
`);
    for (const name of ["args-only", "absolute-path", "undescribed-image"]) {
      const status = await waitFor(
        name,
        (s) => s.phase === "Running" && s.containerStatuses?.[0]?.ready === true,
        15,
      );
      expect(status.containerStatuses?.[0]?.restartCount).toBe(0);
    }
  });

  it("keeps a container whose env names a missing ConfigMap key in CreateContainerConfigError, with the kubelet's message and event, until the key exists", async () => {
    await apply(`
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: ${namespace}}
data: {MODE: fast}
---
apiVersion: v1
kind: Pod
metadata: {name: needs-key, namespace: ${namespace}}
spec:
  containers:
  - name: app
    image: nginx:1.27
    env:
    - name: DB_HOST
      valueFrom: {configMapKeyRef: {name: app-config, key: DB_HOST}}
`);
    const blocked = await waitFor(
      "needs-key",
      (s) => s.containerStatuses?.[0]?.state.waiting?.reason === "CreateContainerConfigError",
      15,
    );
    expect(blocked.phase).toBe("Pending");
    expect(blocked.containerStatuses?.[0]?.state.waiting?.message).toBe(
      `couldn't find key DB_HOST in ConfigMap ${namespace}/app-config`,
    );
    const failed = await until(
      "a Failed event for needs-key",
      () => eventMessages("needs-key", "Failed"),
      Boolean,
    );
    expect(failed).toContain(`Error: couldn't find key DB_HOST in ConfigMap ${namespace}/app-config`);
    // Still waiting a while later: nothing else starts it behind the kubelet's back.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await podStatus("needs-key"))?.containerStatuses?.[0]?.state.waiting?.reason).toBe(
      "CreateContainerConfigError",
    );

    await kubectl("patch", "configmap", "app-config", "-p", '{"data":{"DB_HOST":"db"}}');
    await waitFor("needs-key", (s) => s.phase === "Running" && s.containerStatuses?.[0]?.ready === true, 15);
  }, 60_000);

  it("keeps a pod whose ConfigMap volume is missing in ContainerCreating with a FailedMount event, until it exists", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: needs-volume, namespace: ${namespace}}
spec:
  containers:
  - {name: app, image: nginx:1.27, volumeMounts: [{name: settings, mountPath: /etc/app}]}
  volumes:
  - {name: settings, configMap: {name: app-settings}}
`);
    await waitFor(
      "needs-volume",
      (s) => s.phase === "Pending" && s.containerStatuses?.[0]?.state.waiting?.reason === "ContainerCreating",
      15,
    );
    const events = await until(
      "a FailedMount event for needs-volume",
      () => eventMessages("needs-volume", "FailedMount"),
      Boolean,
    );
    expect(events).toBe(
      'MountVolume.SetUp failed for volume "settings" : configmap "app-settings" not found',
    );
    await kubectl("create", "configmap", "app-settings", "--from-literal=mode=fast");
    await waitFor(
      "needs-volume",
      (s) => s.phase === "Running" && s.containerStatuses?.[0]?.ready === true,
      15,
    );
  }, 60_000);
});
