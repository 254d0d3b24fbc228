import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/cel.js";
import type { KubeObject } from "../../src/engine/ports.js";

// A release's three revisions as Helm v3.22.0 stored them on the local cluster:
//   helm install shop tasks/architecture/helm-install/shop -n helm-fixture --set mode=prod
//   helm upgrade shop tasks/architecture/helm-install/shop -n helm-fixture --set image.tag=1.28
//   helm rollback shop 1 -n helm-fixture
//   kubectl -n helm-fixture get secrets -l owner=helm -o json   (managedFields removed)
const secrets = (
  JSON.parse(readFileSync(new URL("../fixtures/helm-release-secrets.json", import.meta.url), "utf8")) as {
    items: KubeObject[];
  }
).items;
const revision = (n: number) => secrets.find((s) => s.metadata?.labels?.version === String(n)) as KubeObject;

describe("cel › helm.release(secret): a Helm release revision, decoded from its Secret", () => {
  it("says why each revision exists, its status and number, and the values the user gave", () => {
    const release = (n: number, expr: string) => evaluate(expr, { object: revision(n) });
    expect(release(1, 'helm.release(object).info.description == "Install complete"')).toBe(true);
    expect(release(1, 'helm.release(object).config == {"mode": "prod"}')).toBe(true);
    expect(release(2, 'helm.release(object).config.image.tag == "1.28"')).toBe(true);
    expect(release(3, 'helm.release(object).info.description == "Rollback to 1"')).toBe(true);
    expect(release(3, 'helm.release(object).info.status == "deployed"')).toBe(true);
    expect(release(3, "helm.release(object).version == 3")).toBe(true);
    expect(release(3, 'helm.release(object).chart.metadata.name == "shop"')).toBe(true);
    expect(release(3, 'helm.release(object).manifest.contains("image: \\"nginx:1.27\\"")')).toBe(true);
  });

  it("reads a whole history in one expression", () => {
    const expr =
      'objects.exists(s, helm.release(s).info.description == "Upgrade complete" && has(helm.release(s).config.image)) && ' +
      'objects.exists(s, s.metadata.labels.status == "deployed" && helm.release(s).info.description == "Rollback to 1")';
    expect(evaluate(expr, { object: revision(1), objects: secrets })).toBe(true);
  });

  it("a Secret that is not a release fails the check with what it is, never a crash", () => {
    const plain: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "db" },
      data: { password: "cw==" },
    } as KubeObject;
    const result = evaluate('helm.release(object).info.status == "deployed"', { object: plain });
    expect(result).not.toBe(true);
    expect(JSON.stringify(result)).toContain(
      "Secret db is not a Helm release (type helm.sh/release.v1 with data.release)",
    );
    const garbled = { ...revision(1), data: { release: "bm90IGEgcmVsZWFzZQ==" } } as KubeObject;
    expect(JSON.stringify(evaluate("helm.release(object).version == 1", { object: garbled }))).toContain(
      "the release in sh.helm.release.v1.shop.v1 does not decode",
    );
  });
});
