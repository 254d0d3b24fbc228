import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/cluster/connect.js";
import { type Exam, loadExam } from "../../src/session/exam.js";
import { readHistory } from "../../src/session/history.js";
import { repoRoot } from "./paths.js";

// A learner's mock exam from start to review with the built CLI on the local test cluster:
// two tasks of a course's own pack (so the draw is known), one solved with kubectl, the other
// left; submit fails it, and the review teaches it: what the check found, what it wanted,
// and the reference solution filled for this cluster. The review still works without one.

const cli = join(repoRoot, "dist", "cli", "main.js");
let scratch: string;
let pack: string;
let env: Record<string, string>;
let context: string;

function kubedrill(args: string[], extra: Record<string, string> = {}) {
  return execa("node", [cli, "--no-builtin", "--tasks", pack, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, ...extra },
    reject: false,
  });
}

const header = (id: string, domain: string, competency: string, namespace: string) =>
  `# yaml-language-server: $schema=${join(repoRoot, "tasks", "task.schema.json")}
id: ${id}
domain: ${domain}
competency: ${competency}
difficulty: easy
minutes: 4
namespace: ${namespace}
`;

/** A workloads task the learner solves, and a networking one they leave: a Service on the wrong port. */
async function writePack(): Promise<void> {
  await mkdir(join(pack, "review-configmap"), { recursive: true });
  await writeFile(
    join(pack, "review-configmap", "task.yaml"),
    `${header("review-configmap", "workloads", "configmaps-secrets", "review-cm")}title: Give the app its configuration
description: In namespace {{namespace}}, create the ConfigMap app-config with the key mode set to exam.
checks:
  - title: ConfigMap app-config has mode=exam
    points: 2
    resource: { kind: ConfigMap, name: app-config }
    match: { data: { mode: exam } }
solution: kubectl -n {{namespace}} create configmap app-config --from-literal=mode=exam
`,
  );
  await mkdir(join(pack, "review-service-port"), { recursive: true });
  await writeFile(
    join(pack, "review-service-port", "task.yaml"),
    `${header("review-service-port", "networking", "services", "review-svc")}title: Serve web on port 80
description: The Service web in namespace {{namespace}} listens on 8080. Make its port http 80.
setup:
  - apply:
      manifest:
        apiVersion: v1
        kind: Service
        metadata: { name: web }
        spec:
          selector: { app: web }
          ports: [{ name: http, port: 8080, targetPort: 80 }]
checks:
  - title: Service web serves http on port 80
    points: 3
    resource: { kind: Service, name: web }
    match: { spec: { ports: [{ name: http, port: 80 }] } }
solution: |
  kubectl -n {{namespace}} patch service web --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":80}]'
`,
  );
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-exam-review-"));
  pack = join(scratch, "pack");
  await writePack();
  env = {
    KUBEDRILL_EXAM: join(scratch, "state", "exam.json"),
    KUBEDRILL_HISTORY: join(scratch, "history.jsonl"),
  };
  context = (await connect({})).context;
});

afterAll(async () => {
  await kubedrill(["reset", "--all"]);
  await rm(scratch, { recursive: true, force: true });
});

describe("a mock exam from start to review", () => {
  it("start → show → flag → solve one with kubectl → submit fails (exit 1) → review shows the other's solution", async () => {
    const started = await kubedrill(["exam", "start", "--seed", "review-1", "--count", "2"]);
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stdout).toContain(`Mock exam started: 2 tasks, 15 min, on context "${context}"`);
    expect(started.stdout).toContain(`switch to it first: kubectl config use-context ${context}`);
    const exam = (await loadExam(env.KUBEDRILL_EXAM as string)) as Exam;
    const ids = exam.tasks.map((t) => t.id);
    expect([...ids].sort()).toEqual(["review-configmap", "review-service-port"]);
    const solved = ids.indexOf("review-configmap") + 1;
    const left = ids.indexOf("review-service-port") + 1;

    const shown = await kubedrill(["exam", "show", String(left)]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout.split("\n").slice(0, 2)).toEqual([
      `Task ${left} of 2`,
      `Use the exam's cluster: kubectl config use-context ${context}`,
    ]);
    expect(shown.stdout).toContain("The Service web in namespace review-svc listens on 8080.");

    expect((await kubedrill(["exam", "flag", String(left)])).exitCode).toBe(0);
    const status = await kubedrill(["exam", "status"]);
    expect(status.stdout).toMatch(/Time left: 1\dm \d\ds of 15 min/);
    expect(status.stdout).toMatch(new RegExp(`^ ${left} ⚑ networking .*\\[review-service-port\\]$`, "m"));
    expect(status.stdout).toContain(`Flagged ⚑ to come back to: ${left} `);

    const kubectl = await execa(
      "kubectl",
      ["-n", "review-cm", "create", "configmap", "app-config", "--from-literal=mode=exam"],
      { reject: false },
    );
    expect(kubectl.exitCode, kubectl.stderr).toBe(0);

    const submitted = await kubedrill(["exam", "submit"]);
    expect(submitted.exitCode, submitted.stderr).toBe(1);
    expect(submitted.stdout).toMatch(
      new RegExp(
        `^ ${solved}   workloads\\s+2/2  ✓ Give the app its configuration  \\[review-configmap\\]$`,
        "m",
      ),
    );
    expect(submitted.stdout).toMatch(
      new RegExp(`^ ${left} ⚑ networking\\s+0/3  ✗ Serve web on port 80  \\[review-service-port\\]$`, "m"),
    );
    expect(submitted.stdout).toMatch(/^networking\s+1\s+0\s+0\/3\s+0\.0%$/m);
    expect(submitted.stdout).toMatch(/^workloads\s+1\s+1\s+2\/2\s+100\.0%$/m);
    expect(submitted.stdout).toContain("Mock exam: FAIL with 40.0% (pass mark 66%)");
    expect(submitted.stdout).toContain("Learn from the 1 failed check in 1 task");
    expect(existsSync(env.KUBEDRILL_EXAM as string)).toBe(false);

    const review = await kubedrill(["exam", "review"]);
    expect(review.exitCode, review.stderr).toBe(0);
    expect(review.stdout).toContain(
      [
        `Task ${left} of 2 · networking · flagged ⚑`,
        "review-service-port  Serve web on port 80  0/3 points",
        "  ✗ Service web serves http on port 80  (0/3)",
        "      spec.ports[http].port: found 8080, want 80",
        "Reference solution:",
        `    kubectl -n review-svc patch service web --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":80}]'`,
        "Practise it again: kubedrill start review-service-port",
      ].join("\n"),
    );
    expect(review.stdout).not.toContain("review-configmap");

    // The results are on disk: the review needs neither the exam nor a cluster any more.
    const offline = await kubedrill(["exam", "review", String(left)], {
      KUBECONFIG: join(scratch, "no-such-kubeconfig"),
    });
    expect(offline.exitCode, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(
      (await kubedrill(["exam", "review"])).stdout.replace(/^\d+ tasks? of 2 lost points\..*\n/m, ""),
    );

    const { records } = await readHistory(env.KUBEDRILL_HISTORY as string);
    expect(records.at(-1)).toMatchObject({ type: "exam", seed: "review-1", passed: false, percent: 40 });
  });

  it("progress then puts the failed competency first, and says the same as JSON", async () => {
    const json = await kubedrill(["progress", "--json"]);
    expect(json.exitCode, json.stderr).toBe(0);
    const progress = JSON.parse(json.stdout) as {
      competencies: { competency: string; attempts: number; passed: number }[];
      next: { id: string; competency: string; tried: number; competencyRecent: { passRate?: number } }[];
    };
    expect(progress.competencies).toEqual([
      expect.objectContaining({ competency: "services", attempts: 1, passed: 0 }),
      expect.objectContaining({ competency: "configmaps-secrets", attempts: 1, passed: 1 }),
    ]);
    expect(progress.next[0]).toMatchObject({
      id: "review-service-port",
      competency: "services",
      tried: 1,
      competencyRecent: { passRate: 0 },
    });
    const human = await kubedrill(["progress"]);
    expect(human.stdout).toMatch(
      /^ {2}1\. kubedrill start review-service-port {2}\(Serve web on port 80\)$/m,
    );
    expect(human.stdout).toMatch(/^services\s+networking\s+1\s+0\s+0%\s+-\s+0%$/m);
  });
});
