import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { localApiDown } from "../../src/cluster/local/api-down.js";
import { localPaths } from "../../src/cluster/local/components.js";
import { markerName } from "../../src/cluster/local/locate.js";

// Why the local API server does not answer, read from the cluster's folder: only for the
// cluster asked. The tests' own clusters share the context's name with the shared one.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubedrill-api-down-"));
  const root = join(dir, "state");
  mkdirSync(root);
  writeFileSync(
    localPaths(root).stateFile,
    JSON.stringify({
      version: 2,
      ports: { etcd: 1, etcdPeer: 2, apiserver: 40001, controllerManager: 4, scheduler: 5, kwok: 6 },
      components: {},
      createdAt: "2026-01-01T00:00:00Z",
    }),
  );
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      contexts: [{ name: "kubedrill-local", context: { cluster: "kubedrill-local", user: "admin" } }],
      clusters: [
        {
          name: "kubedrill-local",
          cluster: {
            server: "https://127.0.0.1:40001",
            extensions: [{ name: markerName, extension: { stateDir: root } }],
          },
        },
      ],
    }),
  );
  vi.stubEnv("KUBECONFIG", kubeconfig);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe("the local API server's state when it does not answer", () => {
  it("describes the cluster the default kubeconfig names when it is the one asked", () => {
    expect(localApiDown("kubedrill-local", "https://127.0.0.1:40001")).toMatch(
      /^the API server of kubedrill-local is not answering; kube-apiserver on kubedrill-control-plane exited/,
    );
  });

  it("says nothing of it for another local cluster of the same context name, at another address", () => {
    expect(localApiDown("kubedrill-local", "https://127.0.0.1:40003")).toBeUndefined();
  });
});
