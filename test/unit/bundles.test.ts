import { describe, expect, it } from "vitest";
import { bundleNames, bundleObjects } from "../../src/catalog/bundles.js";

describe("bundles", () => {
  it("ships the Gateway API's standard CRDs, v1.3.0, as installable objects", async () => {
    expect(bundleNames).toContain("gateway-api");
    const objects = await bundleObjects("gateway-api");
    const names = objects.map((o) => (o.metadata as { name: string }).name);
    expect(names).toEqual([
      "gatewayclasses.gateway.networking.k8s.io",
      "gateways.gateway.networking.k8s.io",
      "httproutes.gateway.networking.k8s.io",
      "referencegrants.gateway.networking.k8s.io",
    ]);
    for (const crd of objects) {
      expect(crd.kind).toBe("CustomResourceDefinition");
      expect((crd.metadata as { annotations: Record<string, string> }).annotations).toMatchObject({
        "gateway.networking.k8s.io/bundle-version": "v1.3.0",
        "gateway.networking.k8s.io/channel": "standard",
      });
    }
  });
});
