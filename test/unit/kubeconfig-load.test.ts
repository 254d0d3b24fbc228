import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeApi } from "../../src/cluster/api.js";
import { ClusterError } from "../../src/errors.js";

const saved = process.env.KUBECONFIG;
afterEach(() => {
  process.env.KUBECONFIG = saved;
});

describe("loading the kubeconfig", () => {
  it("without any kubeconfig file says so and suggests cluster up, instead of trying http://localhost:8080", () => {
    process.env.KUBECONFIG = "/nonexistent/kubedrill/config";
    let error: unknown;
    try {
      KubeApi.load();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toBe(
      "no kubeconfig found (looked for /nonexistent/kubedrill/config)",
    );
    expect((error as ClusterError).hint).toContain("kubedrill cluster up");
    expect((error as ClusterError).exitCode).toBe(3);
  });

  describe("a kubeconfig that names what is not there", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "kubedrill-kubeconfig-"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const config = (contexts: string, current?: string) =>
      [
        "apiVersion: v1",
        "kind: Config",
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
        "users: [{name: u, user: {token: t}}]",
        `contexts: ${contexts}`,
        current === undefined ? "" : `current-context: ${current}`,
      ].join("\n");

    const cases: [string, string, string][] = [
      ["empty", "", "the kubeconfig FILE is empty: it names no cluster, user or context"],
      [
        "missing-cluster",
        config("[{name: x, context: {cluster: gone, user: u}}]", "x"),
        'context "x" names cluster "gone", which is not in FILE (clusters: "c")',
      ],
      [
        "missing-user",
        config("[{name: x, context: {cluster: c, user: gone}}]", "x"),
        'context "x" names user "gone", which is not in FILE (users: "u")',
      ],
      [
        "no-current-context",
        config("[{name: x, context: {cluster: c, user: u}}]"),
        'the kubeconfig FILE sets no current-context (contexts: "x")',
      ],
      [
        "current-context-gone",
        config("[{name: x, context: {cluster: c, user: u}}]", "gone"),
        'current-context "gone" is not a context in FILE (contexts: "x")',
      ],
      ["no-contexts", config("[]"), "the kubeconfig FILE has no context (contexts: none)"],
      [
        "no-server",
        "clusters: [{name: c, cluster: {}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x",
        'the cluster of context "x" has no server address',
      ],
    ];

    for (const [name, text, message] of cases) {
      it(`${name}: exit 3, naming what is missing`, async () => {
        const file = join(dir, name);
        await writeFile(file, text);
        const error = (() => {
          try {
            KubeApi.load({ kubeconfig: file });
          } catch (err) {
            return err;
          }
        })();
        expect(error).toBeInstanceOf(ClusterError);
        expect((error as ClusterError).message).toBe(message.replace("FILE", file));
        expect((error as ClusterError).exitCode).toBe(3);
      });
    }

    it("a context without a user (anonymous) is fine", async () => {
      const file = join(dir, "anonymous");
      await writeFile(file, config("[{name: x, context: {cluster: c}}]", "x"));
      expect(KubeApi.load({ kubeconfig: file }).contextName).toBe("x");
    });
  });
});
