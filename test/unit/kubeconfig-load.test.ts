import { afterEach, describe, expect, it } from "vitest";
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
});
