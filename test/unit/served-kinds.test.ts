import { describe, expect, it } from "vitest";
import { discoveredKinds } from "../../src/cluster/served-kinds.js";

// Aggregated discovery as the API server answers it right after a restart, before it has
// reached metrics-server: the group is listed, Stale, without its resources.
describe("the kinds of aggregated discovery", () => {
  it("reads each group's preferred version, and a Stale group without resources serves none", () => {
    const kinds = discoveredKinds([
      {
        metadata: { name: "apps" },
        versions: [
          {
            version: "v1",
            resources: [
              {
                resource: "deployments",
                scope: "Namespaced",
                verbs: ["get", "delete"],
                responseKind: { kind: "Deployment" },
              },
            ],
          },
        ],
      },
      {
        metadata: { name: "metrics.k8s.io" },
        versions: [{ version: "v1beta1" }],
      },
      {
        metadata: {},
        versions: [
          {
            version: "v1",
            resources: [{ resource: "nodes", scope: "Cluster", responseKind: { kind: "Node" } }],
          },
        ],
      },
    ]);
    expect(kinds).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", namespaced: true, verbs: ["get", "delete"] },
      { apiVersion: "v1", kind: "Node", namespaced: false, verbs: [] },
    ]);
  });
});
