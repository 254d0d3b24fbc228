import { describe, expect, it } from "vitest";
import {
  chooseDriver,
  driverForContext,
  requireTools,
  type ToolChecks,
} from "../../src/cluster/drivers/choose.js";
import { LocalNodeAccess, nodeAccessFor } from "../../src/cluster/node-access/index.js";
import { KindNodeAccess } from "../../src/cluster/node-access/kind.js";
import { MinikubeNodeAccess } from "../../src/cluster/node-access/minikube.js";
import { ClusterError } from "../../src/errors.js";

const works = (detail: string) => ({ state: "works" as const, detail });
const missing = { state: "missing" as const, detail: "not installed" };
const daemonDown = {
  state: "broken" as const,
  detail: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
};

function tools(change: Partial<ToolChecks>): ToolChecks {
  return {
    docker: works("28.2.2"),
    kind: works("kind v0.29.0 go1.24.2 linux/amd64"),
    minikube: works("v1.36.0"),
    ...change,
  };
}

describe("chooseDriver", () => {
  it("picks kind when docker and kind both work, even with minikube installed", () => {
    expect(chooseDriver(tools({}))).toEqual({
      driver: "kind",
      why: "docker and kind both work (Docker 28.2.2, kind v0.29.0 go1.24.2 linux/amd64)",
    });
  });

  it("picks minikube when the Docker daemon does not answer, and says so", () => {
    const choice = chooseDriver(tools({ docker: daemonDown }));
    expect(choice.driver).toBe("minikube");
    expect(choice.why).toBe(
      `the Docker daemon does not answer (${daemonDown.detail}), and minikube v1.36.0 is installed`,
    );
  });

  it("picks minikube when kind is not installed", () => {
    expect(chooseDriver(tools({ kind: missing }))).toEqual({
      driver: "minikube",
      why: "kind is not installed, and minikube v1.36.0 is installed",
    });
  });

  it("falls back to local when neither kind nor minikube can run, naming both reasons", () => {
    const choice = chooseDriver(tools({ docker: missing, minikube: missing }));
    expect(choice.driver).toBe("local");
    expect(choice.why).toMatch(
      /^docker is not installed and minikube is not installed: using the local control plane/,
    );
  });

  it("kind needs docker itself, not only the kind binary", () => {
    expect(chooseDriver(tools({ docker: missing }))).toEqual({
      driver: "minikube",
      why: "docker is not installed, and minikube v1.36.0 is installed",
    });
  });
});

describe("requireTools", () => {
  it("names the tool to install when --driver asks for one that is missing", () => {
    expect(() => requireTools("kind", tools({ kind: missing }))).toThrow(
      expect.objectContaining({
        message: 'kind is not installed (no "kind" on PATH)',
        hint: expect.stringContaining("https://kind.sigs.k8s.io"),
      }),
    );
    expect(() => requireTools("minikube", tools({ minikube: missing }))).toThrow(
      expect.objectContaining({ hint: expect.stringContaining("https://minikube.sigs.k8s.io/docs/start/") }),
    );
  });

  it("says to start Docker when it is installed but its daemon does not answer", () => {
    expect(() => requireTools("kind", tools({ docker: daemonDown }))).toThrow(
      expect.objectContaining({ exitCode: 3, hint: expect.stringContaining("start Docker") }),
    );
  });

  it("lets the local driver go without any tool", () => {
    expect(() =>
      requireTools("local", tools({ docker: missing, kind: missing, minikube: missing })),
    ).not.toThrow();
  });
});

describe("driverForContext", () => {
  it("knows kubedrill's own clusters by their context, and nothing else", () => {
    expect(driverForContext("kind-kubedrill")).toBe("kind");
    expect(driverForContext("kubedrill")).toBe("minikube");
    expect(driverForContext("kubedrill-local")).toBe("local");
    expect(driverForContext("kind-other")).toBeUndefined();
    expect(driverForContext(undefined)).toBeUndefined();
  });
});

describe("nodeAccessFor", () => {
  it("reaches kind nodes through docker for every kind-* context", () => {
    expect(nodeAccessFor("kind-kubedrill")).toBeInstanceOf(KindNodeAccess);
    expect(nodeAccessFor("kind-ci").driver).toBe("kind");
  });

  it("reaches minikube nodes through the profile the context is named after", () => {
    const own = nodeAccessFor("kubedrill");
    const plain = nodeAccessFor("minikube");
    expect(own).toBeInstanceOf(MinikubeNodeAccess);
    expect((own as MinikubeNodeAccess).profile).toBe("kubedrill");
    expect((plain as MinikubeNodeAccess).profile).toBe("minikube");
  });

  it("reaches the local cluster's nodes as folders", () => {
    expect(nodeAccessFor("kubedrill-local")).toBeInstanceOf(LocalNodeAccess);
  });

  it("refuses any other context with a ClusterError that says which clusters have node access", () => {
    expect(() => nodeAccessFor("gke_prod_europe")).toThrow(ClusterError);
    expect(() => nodeAccessFor("docker-desktop")).toThrow(
      /kind \(kind-\*\), minikube \(minikube, kubedrill\) and local/,
    );
  });
});
