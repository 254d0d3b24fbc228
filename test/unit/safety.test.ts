import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/cluster/api.js";
import { type ClusterFacts, judgePractice } from "../../src/cluster/safety.js";

// Which clusters kubedrill may write to, decided from what the cluster is (its nodes, its
// recorded identity), never from the context's name or a loopback address.

const node = (name: string, labels: Record<string, string> = {}, providerID?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels },
  spec: providerID ? { providerID } : {},
});
const facts = (nodes: KubeObject[], more: Partial<ClusterFacts> = {}): ClusterFacts => ({ nodes, ...more });

describe("practice cluster recognition", () => {
  it("recognises kind by its nodes' kind:// providerID", () => {
    const verdict = judgePractice(
      facts([
        node("kubedrill-control-plane", {}, "kind://docker/kubedrill/kubedrill-control-plane"),
        node("kubedrill-worker", {}, "kind://docker/kubedrill/kubedrill-worker"),
      ]),
    );
    expect(verdict).toEqual({ practice: true, why: expect.stringMatching(/^a kind cluster/) });
  });

  it("recognises minikube by its node label, k3d by k3s's providerID, docker-desktop by its one node", () => {
    expect(judgePractice(facts([node("kubedrill", { "minikube.k8s.io/name": "kubedrill" })])).why).toMatch(
      /^a minikube cluster/,
    );
    expect(judgePractice(facts([node("k3d-lab-server-0", {}, "k3s://k3d-lab-server-0")])).why).toMatch(
      /^a k3d\/k3s cluster/,
    );
    expect(judgePractice(facts([node("docker-desktop")])).why).toMatch(/^a docker-desktop cluster/);
  });

  it("does not count a cluster where only some nodes carry a marker", () => {
    const mixed = [node("a", {}, "kind://docker/x/a"), node("b", {}, "aws:///eu-west-1a/i-0abc")];
    expect(judgePractice(facts(mixed)).practice).toBe(false);
    // docker-desktop's marker is its single node: one node of that name among others is not it.
    expect(judgePractice(facts([node("docker-desktop"), node("prod-1")])).practice).toBe(false);
  });

  it("does not count a cluster by name or loopback address: a real cluster behind kubectl proxy is refused", () => {
    const verdict = judgePractice(facts([node("ip-10-0-1-5", {}, "aws:///eu-west-1a/i-0abc")]));
    expect(verdict.practice).toBe(false);
    expect(verdict.why).toBe("no node carries kind's, minikube's, k3s's or docker-desktop's markers");
    expect(judgePractice(facts([], { nodesError: "403 Forbidden" })).why).toBe(
      "its nodes could not be read (403 Forbidden)",
    );
  });

  it("recognises the local cluster when kube-system's uid is the one recorded in the kubeconfig and the state folder", () => {
    const localIdentity = { extension: "uid-1", state: "uid-1", stateDir: "/s" };
    const nodes = [node("kubedrill-worker")];
    expect(judgePractice(facts(nodes, { kubeSystemUid: "uid-1", localIdentity }))).toEqual({
      practice: true,
      why: "kubedrill's local cluster (kube-system uid matches /s)",
    });
  });

  it("refuses a context that claims to be the local cluster but reaches another one", () => {
    const nodes = [node("kubedrill-worker")];
    const copied = { extension: "uid-1", state: "uid-1", stateDir: "/s" };
    const other = judgePractice(facts(nodes, { kubeSystemUid: "uid-2", localIdentity: copied }));
    expect(other.practice).toBe(false);
    expect(other.why).toContain("kube-system's uid (uid-2) is not the one recorded there (uid-1)");
    // A state folder recreated since (another cluster) does not vouch for the old kubeconfig entry.
    const stale = { extension: "uid-1", state: "uid-3", stateDir: "/s" };
    expect(judgePractice(facts(nodes, { kubeSystemUid: "uid-1", localIdentity: stale })).practice).toBe(
      false,
    );
  });

  it("with its API server down, knows the local cluster by its kubeconfig entry and state agreeing, and nothing else", () => {
    const apiDown = "the API server of kubedrill-local is not answering";
    const localIdentity = { extension: "uid-1", state: "uid-1", stateDir: "/s" };
    expect(judgePractice(facts([], { apiDown, localIdentity }))).toEqual({
      practice: true,
      why: "kubedrill's local cluster (its kubeconfig entry and /s agree; its API server is not answering)",
    });
    const stale = { extension: "uid-1", state: "uid-3", stateDir: "/s" };
    expect(judgePractice(facts([], { apiDown, localIdentity: stale })).practice).toBe(false);
    expect(judgePractice(facts([], { apiDown })).practice).toBe(false);
  });
});
