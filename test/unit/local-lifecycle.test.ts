import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localPaths } from "../../src/cluster/local/components.js";
import { locateLocal, markerFor, markerName } from "../../src/cluster/local/locate.js";
import { withLock } from "../../src/cluster/local/lock.js";
import { readState, type State, StateWriter } from "../../src/cluster/local/state.js";
import { ClusterError } from "../../src/errors.js";

// The local cluster's bookkeeping on a scratch folder: the state file, the lock, and
// finding the state folder from the kubeconfig. The cluster itself is in the fault suite.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubedrill-lifecycle-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const state = (n: number): State => ({
  version: 2,
  ports: { etcd: n, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 },
  components: { etcd: { pid: n, binary: "/b/kubedrill-cluster" } },
  createdAt: "2026-01-01T00:00:00Z",
});

describe("state file", () => {
  it("many saves at once leave one valid, private file holding the last state", async () => {
    const paths = localPaths(dir);
    const writer = new StateWriter(paths);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.save(state(i + 1))));
    expect(readState(paths)?.ports.etcd).toBe(50);
    expect(statSync(paths.stateFile).mode & 0o777).toBe(0o600);
  });

  it("a damaged file is a typed error naming the file and the way out, not a stack", () => {
    const paths = localPaths(dir);
    writeFileSync(paths.stateFile, '{"version": 2, "ports": {');
    expect(() => readState(paths)).toThrow(ClusterError);
    try {
      readState(paths);
    } catch (err) {
      expect((err as ClusterError).message).toContain(`state file ${paths.stateFile} is unreadable`);
      expect((err as ClusterError).hint).toContain("kubedrill cluster up --fresh");
    }
  });
});

describe("state folder lock", () => {
  it("a second holder waits, says who holds the lock with its pid, and runs after the first", async () => {
    const paths = localPaths(join(dir, "state"));
    const said: string[] = [];
    const order: string[] = [];
    let release: () => void = () => {};
    const first = withLock(
      paths,
      "cluster up",
      () => {},
      async () => {
        order.push("first starts");
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        order.push("first ends");
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = withLock(
      paths,
      "cluster down",
      (m) => said.push(m),
      async () => order.push("second runs"),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(order).toEqual(["first starts"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first starts", "first ends", "second runs"]);
    expect(said[0]).toMatch(
      new RegExp(
        `^waiting for kubedrill cluster up \\(pid ${process.pid}, since .*\\), which holds .*state\\.lock$`,
      ),
    );
  });

  it("takes over a lock whose holder has died", async () => {
    const paths = localPaths(join(dir, "state"));
    const dead = spawnSync("true").pid;
    writeFileSync(paths.lockFile, JSON.stringify({ pid: dead, action: "cluster up", since: "then" }));
    const said: string[] = [];
    expect(
      await withLock(
        paths,
        "cluster up",
        (m) => said.push(m),
        async () => "ran",
      ),
    ).toBe("ran");
    expect(said[0]).toContain(`its holder, kubedrill cluster up (pid ${dead}, since then), is gone`);
  });
});

describe("finding the local cluster from the kubeconfig", () => {
  const kubeconfig = (stateDir: string) => {
    const file = join(dir, "config");
    const extension = { stateDir, identity: "uid-1" };
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "kubedrill-local",
            cluster: { server: "https://127.0.0.1:1", extensions: [{ name: markerName, extension }] },
          },
        ],
        contexts: [{ name: "kubedrill-local", context: { cluster: "kubedrill-local", user: "u" } }],
      }),
    );
    return file;
  };

  it("uses the folder the context's extension records, whatever the environment says", () => {
    const recorded = join(dir, "recorded");
    mkdirSync(recorded);
    const files = [kubeconfig(recorded)];
    expect(markerFor("kubedrill-local", files)).toEqual({
      stateDir: recorded,
      identity: "uid-1",
      file: files[0],
    });
    const env = { KUBEDRILL_STATE_DIR: join(dir, "elsewhere") };
    expect(locateLocal({ files, env, mustExist: true }).root).toBe(recorded);
    expect(locateLocal({ files: [], env }).root).toBe(env.KUBEDRILL_STATE_DIR);
  });

  it("a recorded folder that is gone is named, with where the record came from", () => {
    const files = [kubeconfig(join(dir, "gone"))];
    expect(() => locateLocal({ files, mustExist: true })).toThrow(
      `the local cluster's state folder ${join(dir, "gone")} is missing: context "kubedrill-local" in ${files[0]} says \`kubedrill cluster up\` put it there`,
    );
    expect(readFileSync(files[0] as string, "utf8")).toContain(markerName);
  });
});
