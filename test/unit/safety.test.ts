import { describe, expect, it } from "vitest";
import { assertMayWrite, isPracticeCluster } from "../../src/cluster/safety.js";
import { ClusterError } from "../../src/errors.js";

describe("practice cluster safety", () => {
  it("counts kind, minikube, kubedrill, k3d and docker-desktop contexts as practice clusters", () => {
    for (const context of ["kind-kubedrill", "minikube", "kubedrill-local", "k3d-lab", "docker-desktop"]) {
      expect(isPracticeCluster(context, "https://10.1.2.3:6443"), context).toBe(true);
    }
  });

  it("counts any context whose server is on a loopback address", () => {
    expect(isPracticeCluster("lab", "https://127.0.0.1:6443")).toBe(true);
    expect(isPracticeCluster("lab", "https://localhost:6443")).toBe(true);
    expect(isPracticeCluster("lab", "https://[::1]:6443")).toBe(true);
    expect(isPracticeCluster("prod", "https://10.0.0.1:6443")).toBe(false);
    expect(isPracticeCluster("kind", "https://k8s.example.com")).toBe(false);
  });

  it("refuses to write elsewhere unless that exact context is allowed, and says how", () => {
    expect(() => assertMayWrite("prod-admin", "https://10.0.0.1:6443")).toThrow(ClusterError);
    let refusal: unknown;
    try {
      assertMayWrite("prod-admin", "https://10.0.0.1:6443", "other");
    } catch (err) {
      refusal = err;
    }
    expect((refusal as ClusterError).message).toMatch(/does not look like a practice cluster/);
    expect((refusal as ClusterError).hint).toBe(
      "if this cluster is yours to break, pass --allow-context prod-admin",
    );
    expect(() => assertMayWrite("prod-admin", "https://10.0.0.1:6443", "prod-admin")).not.toThrow();
  });
});
