import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTask } from "../../src/catalog/load.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { formatProblem } from "../../src/errors.js";

async function problemsOf(checks: string): Promise<string[]> {
  const dir = join(await mkdtemp(join(tmpdir(), "kubedrill-validate-")), "t");
  await mkdir(dir);
  const file = join(dir, "task.yaml");
  await writeFile(
    file,
    `id: t
title: T
domain: workloads
difficulty: easy
minutes: 1
namespace: t
description: d
checks:
${checks}
solution: "true"
`,
  );
  const result = await loadTask(file, expressionChecker);
  return result.ok ? [] : result.problems.map((p) => formatProblem(p).replace(`${file}:`, ""));
}

describe("validate › access, selection and notPattern", () => {
  it("accepts an access check as the issue writes it, and a kind alone as a selection", async () => {
    expect(
      await problemsOf(`  - title: a
    access: { as: { serviceAccount: robot }, can: [get], resource: pods, allowed: true }
  - title: b
    resource: { kind: NetworkPolicy }
    expect: objects.size() > 0`),
    ).toEqual([]);
  });

  it("rejects name with ownedBy, an invalid notPattern, and an access check without verbs", async () => {
    const problems = await problemsOf(`  - title: a
    resource: { kind: Pod, name: web, ownedBy: { kind: Deployment, name: web } }
  - title: b
    file: x.txt
    notPattern: "(unclosed"
  - title: c
    access: { as: { serviceAccount: robot }, can: [], resource: pods }`);
    expect(problems.join("\n")).toMatch(/checks\[2\]\.access\.can: Too small/);
    // Schema problems come first; semantic ones only for a task the schema accepts.
    const semantic = await problemsOf(`  - title: a
    resource: { kind: Pod, name: web, ownedBy: { kind: Deployment, name: web } }
  - title: b
    file: x.txt
    notPattern: "(unclosed"`);
    expect(semantic).toHaveLength(2);
    expect(semantic[0]).toMatch(/checks\[0\]\.resource: name and ownedBy exclude each other/);
    expect(semantic[1]).toMatch(/checks\[1\]\.notPattern: invalid regular expression \(RE2 syntax\)/);
  });
});

describe("validate › nodeService", () => {
  it("wants active or enabled, and requires: [node-services]", async () => {
    const problems = (
      await problemsOf(`  - title: a
    nodeService: { node: "{{worker}}", unit: kubelet }`)
    ).join("\n");
    expect(problems).toMatch(/checks\[0\]: a nodeService check says what it wants: active, enabled, or both/);
    expect(problems).toMatch(
      /checks\[0\]: a task that checks a node service needs `requires: \[node-services\]`/,
    );
  });

  it("knows the units a practice node has", async () => {
    expect(
      await problemsOf(`  - title: b
    nodeService: { node: "{{worker}}", unit: sshd }
    active: true`),
    ).toEqual(['10:46: checks[0].nodeService.unit: must be one of kubelet, containerd; found "sshd"']);
  });
});

describe("validate › nodeFile match and expect", () => {
  it("takes them on a manifest or TOML file, not on an etcd snapshot, whose keys are read as text", async () => {
    const nodeFile = (format: string) => `  - title: a
    nodeFile: { node: "{{worker}}", path: /f }${format}
    expect: has(object.kind)`;
    expect(await problemsOf(`${nodeFile("")}\n${nodeFile("\n    format: toml")}`)).toEqual([]);
    expect(await problemsOf(nodeFile("\n    format: etcd-snapshot"))).toEqual([
      "9:5: checks[0]: a nodeFile check with format: etcd-snapshot reads keys with equals or pattern, not match or expect",
    ]);
  });
});
