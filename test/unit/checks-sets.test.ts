import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { runChecks } from "../../src/engine/checks.js";
import type { ClusterReader, KubeObject } from "../../src/engine/ports.js";
import { resolveVars } from "../../src/engine/vars.js";
import type { CheckResult } from "../../src/model/results.js";
import { checkReasons } from "../../src/report/reasons.js";

const reasonsOf = (check: CheckResult | undefined) => (check ? checkReasons(check) : []);

/** Plain objects in place of the API; label selectors are `key=value`. */
function readerOf(objects: KubeObject[]): ClusterReader {
  const labelled = (o: KubeObject, selector?: string) =>
    !selector ||
    selector.split(",").every((s) => o.metadata?.labels?.[s.split("=")[0] ?? ""] === s.split("=")[1]);
  return {
    resource: async (_v, kind) => ({ namespaced: kind !== "Node" }),
    list: async (_v, kind, _ns, selector) => objects.filter((o) => o.kind === kind && labelled(o, selector)),
    get: async (_v, kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name),
  };
}

const task = (checks: unknown[], vars?: unknown): Task =>
  ({ id: "t", namespace: "ns", checks, vars }) as unknown as Task;

const policy = (name: string, ingress?: unknown[]) => ({
  kind: "NetworkPolicy",
  metadata: { name },
  spec: {
    podSelector: { matchLabels: { app: "db" } },
    policyTypes: ["Ingress"],
    ...(ingress ? { ingress } : {}),
  },
});
const ref = (kind: string, name: string, uid: string) => [{ kind, name, uid }];
const deployment = { kind: "Deployment", metadata: { name: "web", uid: "d1" } };
const rs = {
  kind: "ReplicaSet",
  metadata: { name: "web-1", uid: "r1", ownerReferences: ref("Deployment", "web", "d1") },
};
const webPod = (name: string, image: string) => ({
  kind: "Pod",
  metadata: { name, uid: name, labels: { app: "web" }, ownerReferences: ref("ReplicaSet", "web-1", "r1") },
  spec: { containers: [{ name: "nginx", image }] },
});
const stranger = {
  kind: "Pod",
  metadata: { name: "stranger", labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "busybox" }] },
};

describe("checks over sets of objects", () => {
  it("a kind alone selects every object of it; an expect over objects is evaluated and reported once", async () => {
    const reader = readerOf([
      policy("deny-all"),
      policy("allow-web", [{ from: [] }]),
      policy("allow-all", [{}]),
    ]);
    const [result] = await runChecks(
      task([
        {
          title: "The policy lets nothing else in",
          points: 1,
          resource: { kind: "NetworkPolicy" },
          expect:
            "objects.all(p, !has(p.spec.ingress) || p.spec.ingress.all(r, has(r.from) && size(r.from) > 0))",
        },
      ]),
      { cluster: reader, vars: {}, uids: {} },
    );
    expect(reasonsOf(result)).toHaveLength(1);
    expect(reasonsOf(result)[0]).toMatch(
      /^expect: objects\.all\(.*\) is false \(not true for allow-web, allow-all\)$/,
    );
  });

  it("an empty set fails saying which kind is missing where", async () => {
    const [result] = await runChecks(
      task([{ title: "x", points: 1, resource: { kind: "NetworkPolicy" }, expect: "objects.size() > 0" }]),
      { cluster: readerOf([]), vars: {}, uids: {} },
    );
    expect(reasonsOf(result)).toEqual(["no NetworkPolicy in namespace ns"]);
  });

  it("ownedBy selects a Deployment's pods through its ReplicaSet, never a stranger with the same labels", async () => {
    const reader = readerOf([
      deployment,
      rs,
      webPod("web-1-a", "nginx:1.27"),
      webPod("web-1-b", "nginx:1.26"),
      stranger,
    ]);
    const [result] = await runChecks(
      task([
        {
          title: "Every pod of web runs nginx:1.27",
          points: 1,
          resource: { kind: "Pod", ownedBy: { kind: "Deployment", name: "web" } },
          match: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
        },
      ]),
      { cluster: reader, vars: {}, uids: {} },
    );
    expect(reasonsOf(result)).toEqual([
      'web-1-b: spec.containers[nginx].image: found "nginx:1.26", want "nginx:1.27"',
    ]);
  });

  it("ownedBy a missing owner says the owner is missing", async () => {
    const [result] = await runChecks(
      task([
        { title: "x", points: 1, resource: { kind: "Pod", ownedBy: { kind: "Deployment", name: "api" } } },
      ]),
      { cluster: readerOf([deployment]), vars: {}, uids: {} },
    );
    expect(reasonsOf(result)).toEqual(["Deployment api not found in namespace ns"]);
  });
});

describe("answer files", () => {
  it("notPattern fails when the content matches, and shows the line that matched", async () => {
    const answers = await mkdtemp(join(tmpdir(), "kubedrill-answers-"));
    await writeFile(join(answers, "policy.yaml"), `${"# comment line\n".repeat(10)}ports: [{port: 8080}]\n`);
    const [result] = await runChecks(
      task([{ title: "no 8080", points: 1, file: "policy.yaml", notPattern: "port: 8080" }]),
      { cluster: readerOf([]), vars: { answers }, uids: {} },
    );
    expect(reasonsOf(result)).toHaveLength(1);
    expect(reasonsOf(result)).toEqual([
      'content: matches /port: 8080/, want it not to (found "ports: [{port: 8080}]")',
    ]);
  });

  it("a variable read by selector or ownedBy takes the field of the one object found", async () => {
    const reader = readerOf([deployment, rs, webPod("web-1-a", "nginx:1.27")]);
    const vars = await resolveVars(
      task([], {
        byOwner: {
          resource: { kind: "Pod", ownedBy: { kind: "Deployment", name: "web" } },
          field: "spec.containers[0].image",
        },
        byLabel: { resource: { kind: "Pod", selector: "app=web" }, field: "metadata.name" },
      }),
      reader,
      undefined,
    );
    expect(vars.byOwner).toBe("nginx:1.27");
    expect(vars.byLabel).toBe("web-1-a");
  });

  it("a variable that selects several objects stays unknown, and the check using it says why", async () => {
    const root = await mkdtemp(join(tmpdir(), "kubedrill-answers-"));
    await mkdir(join(root, "t"));
    await writeFile(join(root, "t", "image.txt"), "nginx:1.27\n");
    const reader = readerOf([deployment, rs, webPod("web-1-a", "nginx:1.27"), stranger]);
    const t = task([{ title: "image", points: 1, file: "image.txt", equals: "{{rsImage}}" }], {
      rsImage: { resource: { kind: "Pod", selector: "app=web" }, field: "spec.containers.0.image" },
    });
    const vars = await resolveVars(t, reader, undefined, { KUBEDRILL_ANSWERS: root });
    const [result] = await runChecks(t, { cluster: reader, vars, uids: {} });
    expect(reasonsOf(result)).toEqual([
      "{{rsImage}} is not known yet (several Pod with labels app=web in namespace ns: web-1-a, stranger)",
    ]);
  });
});
