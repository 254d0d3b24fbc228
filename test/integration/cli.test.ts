import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory } from "../../src/session/history.js";
import { kubeconfigAs } from "../support/kubeconfig.js";
import { repoRoot, testEnv } from "./paths.js";

// The built CLI as a learner or CI runs it: `node dist/cli/main.js …` against the local
// test cluster, with real kubectl for the learner's steps. `npm test` builds dist first.

const cli = join(repoRoot, "dist", "cli", "main.js");
const env = { ...process.env, ...testEnv };
// Every task folder of the built-in catalog: tasks/<domain>/<id>/task.yaml.
const catalogIds = readdirSync(join(repoRoot, "tasks"), { withFileTypes: true })
  .filter((domain) => domain.isDirectory())
  .flatMap((domain) =>
    readdirSync(join(repoRoot, "tasks", domain.name)).filter((id) =>
      existsSync(join(repoRoot, "tasks", domain.name, id, "task.yaml")),
    ),
  )
  .sort();
const redisAnswers = join(testEnv.KUBEDRILL_ANSWERS, "pod-fix-redis-image");
let scratch: string;

function kubedrill(args: string[], extraEnv: Record<string, string> = {}) {
  return execa("node", [cli, ...args], { cwd: repoRoot, env: { ...env, ...extraEnv }, reject: false });
}

function kubectl(args: string[], stdoutFile?: string) {
  return execa("kubectl", args, {
    env,
    reject: false,
    ...(stdoutFile ? { stdout: { file: stdoutFile } } : {}),
  });
}

/** Stack frames or the "a bug; please report it" banner mean an error escaped the typed handler. */
function expectNoStackTrace(output: string) {
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(output).not.toContain("unexpected error");
}

/** A kubeconfig whose user runs a credential plugin that leaves a mark: the CLI is about to send a request. */
async function kubeconfigFor(context: string, server: string) {
  const file = join(scratch, `${context}.kubeconfig`);
  const marker = join(scratch, `${context}.requested`);
  const credential = JSON.stringify({
    apiVersion: "client.authentication.k8s.io/v1beta1",
    kind: "ExecCredential",
    status: { token: "not-a-real-token" },
  });
  const plugin = `echo requested >> '${marker}'; echo '${credential}'`;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [
      {
        name: context,
        user: {
          exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "sh", args: ["-c", plugin] },
        },
      },
    ],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
  };
  await writeFile(file, JSON.stringify(config));
  return { KUBECONFIG: file, marker };
}

interface JsonCheck {
  title: string;
  points: number;
  earned: number;
  passed: boolean;
  reasons: string[];
}
interface JsonReport {
  passed: boolean;
  percent: number;
  passMark: number;
  earned: number;
  total: number;
  tasks: { id: string; seed?: string; earned: number; total: number; passed: boolean; checks: JsonCheck[] }[];
}

const unescapeXml = (text: string) =>
  text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Per check: task, title and, for a failure, the "earned/points points" line that ends its body. */
function junitChecks(xml: string) {
  const cases = xml.matchAll(
    /<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(?:\/>|>\s*<failure[^>]*>([^<]*)<\/failure>)/g,
  );
  return [...cases].map(([, task = "", title = "", failure]) => ({
    task: unescapeXml(task),
    title: unescapeXml(title),
    score: failure === undefined ? "passed" : unescapeXml(failure).split("\n").at(-1),
  }));
}

/** points.earned/points.total of each testsuite, by task id. */
function junitTaskPoints(xml: string) {
  const suites = xml.matchAll(/<testsuite name="([^"]*)"[\s\S]*?<\/testsuite>/g);
  return [...suites].map(([suite, task]) => ({
    task,
    earned: Number(suite.match(/name="points\.earned" value="(\d+)"/)?.[1]),
    total: Number(suite.match(/name="points\.total" value="(\d+)"/)?.[1]),
  }));
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-cli-test-"));
  await rm(testEnv.KUBEDRILL_ANSWERS, { recursive: true, force: true });
});

afterAll(async () => {
  await kubedrill(["reset", "pod-run-nginx"]);
  await kubedrill(["reset", "pod-fix-redis-image"]);
  await rm(testEnv.KUBEDRILL_ANSWERS, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe("list and show", () => {
  it("list prints every task of the catalog, one row each", async () => {
    const { exitCode, stdout } = await kubedrill(["list"]);
    expect(exitCode).toBe(0);
    const [header, ...rows] = stdout.trim().split("\n");
    expect(header).toMatch(/^TASK\s+DOMAIN/);
    expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(catalogIds);
  });

  it("list --json is valid JSON with each task's id, domain and points", async () => {
    const { exitCode, stdout } = await kubedrill(["list", "--json"]);
    expect(exitCode).toBe(0);
    const rows = JSON.parse(stdout) as { id: string; domain: string; points: number }[];
    expect(rows.map((r) => r.id).sort()).toEqual(catalogIds);
    for (const row of rows) {
      expect(row.domain).toMatch(/^(workloads|networking|storage|troubleshooting|architecture)$/);
      expect(row.points).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.id === "pod-fix-redis-image")).toMatchObject({
      domain: "troubleshooting",
      points: 6,
    });
  });

  it("list --domain architecture shows only the architecture tasks", async () => {
    const { exitCode, stdout } = await kubedrill(["list", "--domain", "architecture"]);
    expect(exitCode).toBe(0);
    const rows = stdout.trim().split("\n").slice(1);
    // A task's folder is its domain's: tasks/architecture/<id>.
    const architecture = readdirSync(join(repoRoot, "tasks", "architecture")).sort();
    expect(architecture.length).toBeGreaterThan(1);
    expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(architecture);
    for (const row of rows) expect(row.split(/\s+/)[1]).toBe("architecture");
  });

  it("list --domain nope exits 2 and names the valid domains", async () => {
    const { exitCode, stderr, stdout } = await kubedrill(["list", "--domain", "nope"]);
    expect(exitCode).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain('unknown domain "nope"');
    for (const domain of ["workloads", "networking", "storage", "troubleshooting", "architecture"]) {
      expect(stderr).toContain(domain);
    }
    expectNoStackTrace(stderr);
  });

  it("show pod-infra-container fills {{worker}} with the local cluster's worker node", async () => {
    const { exitCode, stdout } = await kubedrill(["show", "pod-infra-container"]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("on node `kubedrill-worker` uses");
    expect(stdout).not.toContain("{{");
  });
});

describe("the worked example, as a learner: pod-fix-redis-image", () => {
  it("start --seed sets up that instance; check grades the instance start recorded, and names its seed", async () => {
    const max = await kubedrill(["start", "pod-fix-redis-image", "--seed", "max"]);
    expect(max.exitCode, max.stderr).toBe(0);
    expect(max.stdout).toContain("a pod named `sessions` that runs the image `redis-7`");
    expect(max.stdout).toContain("Seed max: this instance of the task");
    expect(max.stdout).toContain("To start over: kubedrill start pod-fix-redis-image --seed max");
    const { stdout } = await kubedrill(["check", "pod-fix-redis-image", "--json"]);
    const task = (JSON.parse(stdout) as JsonReport).tasks[0];
    expect(task?.seed).toBe("max");
    expect(task?.checks.map((c) => c.title)).toContain("Pod sessions uses the image redis:6.2");
  });

  // The min instance is the task as the README walks through it.
  it("start sets the task up and prints its description", async () => {
    await rm(redisAnswers, { recursive: true, force: true });
    const { exitCode, stdout } = await kubedrill(["start", "pod-fix-redis-image", "--seed", "min"]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("Fix the redis pod  [pod-fix-redis-image]");
    expect(stdout).toContain("a pod named `redis` that runs the image `redis123`");
    expect(stdout).toContain("Generate a manifest instead of writing it by hand");
    expect(stdout).toContain(`${redisAnswers}/redis.yaml`);
    expect((await kubectl(["get", "ns", "pods-redis"])).exitCode).toBe(0);
  });

  it("check --json right after start exits 1 with 0 points and a reason for every check", async () => {
    const { exitCode, stdout } = await kubedrill(["check", "pod-fix-redis-image", "--json"]);
    expect(exitCode).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.earned).toBe(0);
    expect(report.total).toBe(6);
    const checks = report.tasks[0]?.checks ?? [];
    expect(checks).toHaveLength(3);
    for (const check of checks) {
      expect(check).toMatchObject({ passed: false, earned: 0 });
      expect(check.reasons.length, check.title).toBeGreaterThan(0);
    }
  });

  it("after the learner's kubectl steps, check exits 0 and shows every check ✓ and 6/6", async () => {
    await mkdir(redisAnswers, { recursive: true });
    const manifest = join(redisAnswers, "redis.yaml");
    const dryRun = await kubectl(
      ["run", "redis", "--image=redis123", "--dry-run=client", "-o", "yaml"],
      manifest,
    );
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    const create = await kubectl(["-n", "pods-redis", "create", "-f", manifest]);
    expect(create.exitCode, create.stderr).toBe(0);
    const fix = await kubectl(["-n", "pods-redis", "set", "image", "pod/redis", "redis=redis"]);
    expect(fix.exitCode, fix.stderr).toBe(0);

    const before = (await readHistory(testEnv.KUBEDRILL_HISTORY)).records.length;
    const { exitCode, stdout } = await kubedrill(["check", "pod-fix-redis-image"]);
    expect(exitCode, stdout).toBe(0);
    expect(stdout.match(/^ {2}✓ /gm)).toHaveLength(3);
    expect(stdout).not.toContain("✗");
    expect(stdout).toContain("6/6 points");
    const { records } = await readHistory(testEnv.KUBEDRILL_HISTORY);
    expect(records.slice(before)).toEqual([
      expect.objectContaining({
        source: "check",
        task: "pod-fix-redis-image",
        earned: 6,
        total: 6,
        passed: true,
      }),
    ]);
  });

  it("check --junit writes a JUnit file with 3 testcases and 0 failures", async () => {
    const junit = join(scratch, "redis.xml");
    const { exitCode } = await kubedrill(["check", "pod-fix-redis-image", "--junit", junit]);
    expect(exitCode).toBe(0);
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<testsuites name="kubedrill" tests="3" failures="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).not.toContain("<failure");
  });

  // Reset keeps the namespace (ADR 0004: the next start need not wait for the namespace controller).
  it("reset exits 0 and the namespace pods-redis is kept with nothing in it", async () => {
    const { exitCode, stdout } = await kubedrill(["reset", "pod-fix-redis-image"]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain("reset pod-fix-redis-image");
    const pods = await kubectl(["get", "pods", "-n", "pods-redis", "-o", "name"]);
    expect(pods.exitCode).toBe(0);
    expect(pods.stdout.trim()).toBe("");
  });
});

describe("grade in CI, on a half-solved state", () => {
  const junit = () => join(scratch, "grade.xml");
  const run = (passMark: string, ...extra: string[]) =>
    kubedrill(["grade", "pod-run-nginx", "pod-fix-redis-image", "--pass-mark", passMark, "--json", ...extra]);

  beforeAll(async () => {
    // pod-run-nginx solved (4/4); pod-fix-redis-image never started, only its manifest written (2/6): 60%.
    await rm(testEnv.KUBEDRILL_ANSWERS, { recursive: true, force: true });
    await kubedrill(["reset", "pod-fix-redis-image"]);
    expect((await kubedrill(["start", "pod-run-nginx", "--seed", "min"])).exitCode).toBe(0);
    const solve = await kubectl([
      "-n",
      "pods-cli",
      "run",
      "web",
      "--image=nginx:1.27",
      "--labels=tier=frontend",
    ]);
    expect(solve.exitCode, solve.stderr).toBe(0);
    await mkdir(redisAnswers, { recursive: true });
    const dryRun = await kubectl(
      ["run", "redis", "--image=redis123", "--dry-run=client", "-o", "yaml"],
      join(redisAnswers, "redis.yaml"),
    );
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
  });

  it("passes at a mark up to its percentage and fails above it; JSON and JUnit agree on every check", async () => {
    // Each run waits out the unsolved task's `within: 30s`; they only read, so run them side by side.
    const [at50, at60, at90] = await Promise.all([run("50", "--junit", junit()), run("60"), run("90")]);
    const report = JSON.parse(at50.stdout) as JsonReport;
    expect(report).toMatchObject({ earned: 6, total: 10, percent: 60, passMark: 50, passed: true });
    expect(report.tasks.map((t) => [t.id, t.earned, t.total])).toEqual([
      ["pod-run-nginx", 4, 4],
      ["pod-fix-redis-image", 2, 6],
    ]);
    expect(at50.exitCode).toBe(0);
    expect(at60.exitCode).toBe(0);
    expect(at90.exitCode).toBe(1);
    expect(JSON.parse(at90.stdout)).toMatchObject({ percent: 60, passMark: 90, passed: false });

    const xml = await readFile(junit(), "utf8");
    const fromJson = report.tasks.flatMap((task) =>
      task.checks.map((c) => ({
        task: task.id,
        title: c.title,
        score: c.passed ? "passed" : `${c.earned}/${c.points} points`,
      })),
    );
    expect(junitChecks(xml)).toEqual(fromJson);
    expect(junitTaskPoints(xml)).toEqual(
      report.tasks.map((t) => ({ task: t.id, earned: t.earned, total: t.total })),
    );
    for (const task of report.tasks) {
      for (const check of task.checks) expect(check.earned).toBe(check.passed ? check.points : 0);
    }
  });
});

describe("exit codes and messages", () => {
  it.each([
    ["check", "nginx", "did you mean pod-run-nginx?"],
    ["start", "no-such-task", "kubedrill list"],
  ])("%s with an unknown task %s exits 2 and hints at %s", async (command, id, hint) => {
    const { exitCode, stderr } = await kubedrill([command, id]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(`no task "${id}" in the catalog`);
    expect(stderr).toContain(hint);
    expectNoStackTrace(stderr);
  });

  it("grade with neither tasks nor --all exits 2", async () => {
    const { exitCode, stderr } = await kubedrill(["grade"]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain("name the tasks to grade or pass --all");
    expectNoStackTrace(stderr);
  });

  it("an unreachable cluster exits 3, says it cannot reach it and suggests kubedrill cluster up", async () => {
    const { KUBECONFIG, marker } = await kubeconfigFor("kind-gone", "https://127.0.0.1:1");
    const { exitCode, stderr } = await kubedrill(["check", "pod-run-nginx"], { KUBECONFIG });
    expect(exitCode).toBe(3);
    expect(stderr).toContain('cannot reach cluster "kind-gone" at https://127.0.0.1:1');
    expect(stderr).toContain("kubedrill cluster up");
    expectNoStackTrace(stderr);
    // The credential plugin ran: the same probe below would notice a request.
    expect(existsSync(marker)).toBe(true);
  });

  it("start on a loopback cluster not recognised as a practice cluster (a proxy, a tunnel) exits 3, naming --allow-context", async () => {
    // The test cluster itself under another name, without the identity `cluster up` recorded:
    // a loopback address and kwok's nodes alone do not make it a practice cluster.
    const file = join(scratch, "proxied.kubeconfig");
    await kubeconfigAs(testEnv.KUBECONFIG, file, "prod-admin");
    const config = JSON.parse(await readFile(file, "utf8")) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    for (const cluster of config.clusters) delete cluster.cluster.extensions;
    await writeFile(file, JSON.stringify(config));
    const { exitCode, stderr } = await kubedrill(["start", "pod-run-nginx"], { KUBECONFIG: file });
    expect(exitCode).toBe(3);
    expect(stderr).toContain('refusing to change context "prod-admin"');
    expect(stderr).toContain(
      "is not recognised as a practice cluster: no node carries kind's, minikube's, k3s's or docker-desktop's markers",
    );
    expect(stderr).toContain("--allow-context prod-admin");
    expectNoStackTrace(stderr);
  });
});

describe("node files on the local cluster", () => {
  const onNode = "kubedrill-worker:/tmp/kubedrill-cli-test.txt";

  it("node cp copies to a node and back, node rm removes, and copying it back then fails clearly", async () => {
    const original = join(scratch, "to-node.txt");
    const copied = join(scratch, "from-node.txt");
    const content = `written by the CLI test at ${new Date().toISOString()}\n`;
    await writeFile(original, content);

    expect((await kubedrill(["node", "cp", original, onNode])).exitCode).toBe(0);
    expect((await kubedrill(["node", "cp", onNode, copied])).exitCode).toBe(0);
    expect(await readFile(copied, "utf8")).toBe(content);

    expect((await kubedrill(["node", "rm", onNode])).exitCode).toBe(0);
    const again = await kubedrill(["node", "cp", onNode, join(scratch, "again.txt")]);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain(`cannot copy ${onNode}`);
    expect(again.stderr).toContain("no such file");
    expectNoStackTrace(again.stderr);
    expect(existsSync(join(scratch, "again.txt"))).toBe(false);
  });

  it("node cp with no node side exits 2", async () => {
    const { exitCode, stderr } = await kubedrill(["node", "cp", "a", "b"]);
    expect(exitCode).toBe(2);
    expect(stderr).toContain("one side of node cp must be a node path");
    expectNoStackTrace(stderr);
  });
});

describe("cluster status", () => {
  it("lists the seven processes of the test cluster as healthy, the kubelet that runs the control plane first", async () => {
    const { exitCode, stdout } = await kubedrill(["cluster", "status"], {
      KUBEDRILL_STATE_DIR: testEnv.KUBEDRILL_STATE_DIR,
    });
    expect(exitCode).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.map((line) => line.split(/\s+/).slice(0, 2))).toEqual(
      [
        "kubelet",
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
        "metrics-server",
      ].map((name) => [name, "healthy"]),
    );
  });
});

describe("verify, as an instructor or a task pack's CI runs it", () => {
  // The whole catalog is proven in tasks.test.ts; here the command itself, on two tasks.
  it("verify --json proves the named tasks and exits 0", async () => {
    const ids = ["pod-fix-redis-image", "pod-run-nginx"];
    const { exitCode, stdout, stderr } = await kubedrill(["verify", ...ids, "--json"]);
    expect(exitCode, stderr).toBe(0);
    const results = JSON.parse(stdout) as { id: string; passed: boolean; problems: string[] }[];
    expect(results.map((r) => r.id).sort()).toEqual(ids);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(stderr).toMatch(/^\[2\/2\] \S+ done$/m);
  }, 300_000);
});
