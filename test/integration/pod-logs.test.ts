import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "./paths.js";
import { until } from "./until.js";

// `kubectl logs` on the local cluster goes through the API server to the nodes'
// kubelet API (served by the node agent), which reads the CRI log files the agent
// keeps under each node's /var/log/pods: what the container's command would print,
// plus lines a task seeds with the kubedrill.dev/log.<container> annotation.

const env = { ...process.env, ...testEnv };
// Its own per run: a namespace of an earlier run may still be terminating.
const namespace = `podlogs-test-${process.pid}`;
const kubectl = (...args: string[]) => execa("kubectl", ["-n", namespace, ...args], { env, reject: false });
const apply = (manifest: string) =>
  execa("kubectl", ["-n", namespace, "apply", "-f", "-"], { env, input: manifest });

const running = (pod: string) =>
  until(
    `pod ${pod} Running`,
    async () => (await kubectl("get", "pod", pod, "-o", "jsonpath={.status.phase}")).stdout,
    (phase) => phase === "Running",
  );

beforeAll(async () => {
  await execa("kubectl", ["create", "namespace", namespace], { env, reject: false });
});
afterAll(async () => {
  await execa("kubectl", ["delete", "namespace", namespace, "--wait=false"], { env, reject: false });
});

describe("kubectl logs on the local cluster", () => {
  it("prints what the command echoes, then the seeded lines; --tail and --timestamps behave", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata:
  name: talker
  annotations:
    kubedrill.dev/log.talker: |
      ERROR cannot reach db:5432
      retrying in 5s
spec:
  containers:
  - {name: talker, image: "busybox:1.36", command: [sh, -c, "echo 'hello from talker'; echo done; sleep 3600"]}
`);
    await running("talker");
    const logs = await until(
      "logs of talker",
      async () => (await kubectl("logs", "talker")).stdout,
      (out) => out !== "",
    );
    expect(logs).toBe("hello from talker\ndone\nERROR cannot reach db:5432\nretrying in 5s");
    expect((await kubectl("logs", "talker", "--tail=1")).stdout).toBe("retrying in 5s");
    const stamped = (await kubectl("logs", "talker", "--timestamps")).stdout.split("\n");
    expect(stamped).toHaveLength(4);
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z hello from talker$/);
  });

  it("shows the previous run of a crashing container with --previous", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - {name: app, image: "busybox:1.36", command: [sh, -c, "echo connecting; echo fatal: no config; exit 1"]}
`);
    await until(
      "a restart",
      async () =>
        (await kubectl("get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"))
          .stdout,
      (count) => Number(count) >= 1,
    );
    const previous = await kubectl("logs", "crasher", "--previous");
    expect(previous.exitCode, previous.stderr).toBe(0);
    expect(previous.stdout).toBe("connecting\nfatal: no config");
  });

  it("prints nginx's start banner for a container that runs the image's own command", async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27"}
`);
    await running("web");
    const logs = await until(
      "logs of web",
      async () => (await kubectl("logs", "web")).stdout,
      (out) => out !== "",
    );
    expect(logs).toContain("Configuration complete; ready for start up");
  });

  it("refuses --previous for a container that never restarted, as a kubelet does", async () => {
    const result = await kubectl("logs", "web", "--previous");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('previous terminated container "nginx" in pod "web" not found');
  });

  it("answers kubectl exec with one line saying no container runs here", async () => {
    const result = await kubectl("exec", "web", "--", "ls");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("runs no containers");
  });
});
