import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { imagePattern, loadImageCatalog, renderStages } from "../../src/cluster/local/images.js";

describe("local cluster image catalog", () => {
  it("accepts catalogued images with usual tags and refuses images no registry has", async () => {
    const pattern = new RegExp(imagePattern(await loadImageCatalog()));
    for (const image of [
      "nginx",
      "nginx:1.27",
      "redis",
      "busybox:1.36",
      "centos:7",
      "docker.io/library/nginx:1.27-alpine",
      "registry.k8s.io/pause:3.10",
      "registry.k8s.io/kube-proxy:v1.33.13",
      "registry.k8s.io/coredns/coredns:v1.12.0",
      "docker.io/kindest/kindnetd:v20250512-df8de77b",
      `nginx@sha256:${"a".repeat(64)}`,
    ]) {
      expect(pattern.test(image), image).toBe(true);
    }
    // Docker Hub's official images have no v-prefixed tags: nginx:v1.27 is a typo.
    for (const image of [
      "redis123",
      "redis:nonexistent",
      "nginxx:1.27",
      "example.com/nginx:1.27",
      "ngin",
      "nginx:v1.27",
    ]) {
      expect(pattern.test(image), image).toBe(false);
    }
  });

  it("renders kwok stages as valid YAML with the image test filled into selectors and templates", async () => {
    const rendered = await renderStages("v1.33.13", 10250);
    const docs = parseAllDocuments(rendered).map((d) => d.toJS());
    const names = docs.map((d) => d.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(["pod-create", "pod-image-pull-failed", "pod-ready", "node-initialize"]),
    );
    expect(rendered).not.toMatch(/IMAGES_KNOWN|IMAGE_PATTERN|KUBE_VERSION/);
    const failed = docs.find((d) => d.metadata.name === "pod-image-pull-failed");
    const keys = failed.spec.selector.matchExpressions.map((e: { key: string }) => e.key);
    expect(keys.some((k: string) => k.includes("all(test(") && k.includes("nginx"))).toBe(true);
    const node = docs.find((d) => d.metadata.name === "node-initialize");
    expect(node.spec.next.statusTemplate).toContain("kubeletVersion: v1.33.13");
  });
});
