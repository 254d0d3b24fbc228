// `npm run bench`: the speed and memory figures of the local cluster and of grading.
// It starts its own cluster in a temporary state folder and kubeconfig, so it neither
// needs nor disturbs a practice or test cluster. `--cold-build` also times a build of
// the cluster binary with an empty Go build cache (5-10 minutes on 2 cores);
// `--cluster-only` prints the local cluster's figures and skips the catalog's.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { sharedState } from "../../src/catalog/shared-state.js";
import { type Connection, connect } from "../../src/cluster/connect.js";
import { ensureBinary } from "../../src/cluster/local/build.js";
import { type LocalPaths, localPaths } from "../../src/cluster/local/components.js";
import { down, up } from "../../src/cluster/local/control-plane.js";
import { localClusterSources } from "../../src/cluster/local/paths.js";
import { processesIn } from "../../src/cluster/local/processes.js";
import { runScript } from "../../src/cluster/shell.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { parseDuration } from "../../src/engine/checks.js";
import { apiVersionOf } from "../../src/engine/ports.js";
import { proveAll } from "../../src/engine/prove-all.js";
import { grade, solutionScript, start, type Target } from "../../src/engine/run.js";
import { fill, resolveVars } from "../../src/engine/vars.js";
import { verifyTask } from "../../src/engine/verify.js";
import { builtCli } from "../support/cli-main.js";
import { schedulerRestarts } from "./control-plane.js";
import { podToCrashLoop, removeBenchNamespace } from "./crashloop.js";
import { resetTimes } from "./reset.js";

const say = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function coldBuild(): Promise<void> {
  const cache = await mkdtemp(join(tmpdir(), "kubedrill-gocache-"));
  const out = join(cache, "kubedrill-cluster");
  say("cold build: go build with an empty GOCACHE (modules already downloaded)…");
  const [, ms] = await timed(() =>
    execa("go", ["build", "-o", out, "."], {
      cwd: localClusterSources,
      env: { GOCACHE: cache },
      stdio: "inherit",
    }),
  );
  say(`cold build                         ${seconds(ms)}`);
  await rm(cache, { recursive: true, force: true });
}

async function memory(paths: LocalPaths): Promise<{ rss: number; pss: number }> {
  let rss = 0;
  let pss = 0;
  for (const { pid } of processesIn(paths.root)) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
    rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

async function podToRunning(target: Connection): Promise<number[]> {
  const namespace = "bench-pods";
  await target.api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const name = `p${i}`;
    const [, ms] = await timed(async () => {
      await target.api.create({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      });
      for (;;) {
        const pod = await target.api.get("v1", "Pod", name, namespace);
        if ((pod?.status as { phase?: string } | undefined)?.phase === "Running") return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    times.push(ms);
  }
  await removeBenchNamespace(target, namespace);
  return times;
}

/** From the scheduler placing a pod to its WaitForFirstConsumer claim on StorageClass standard being Bound. */
async function claimBound(target: Connection): Promise<number[]> {
  const namespace = "bench-claims";
  await target.api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const claim = `c${i}`;
    await target.api.create({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claim, namespace },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } },
    });
    await target.api.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `p${i}`, namespace },
      spec: {
        containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "3600"] }],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }],
      },
    });
    let scheduledAt = 0;
    for (;;) {
      const [pvc, pod] = await Promise.all([
        target.api.get("v1", "PersistentVolumeClaim", claim, namespace),
        target.api.get("v1", "Pod", `p${i}`, namespace),
      ]);
      const selected = pvc?.metadata?.annotations?.["volume.kubernetes.io/selected-node"];
      if (!scheduledAt && (selected || (pod?.spec as { nodeName?: string })?.nodeName))
        scheduledAt = Date.now();
      if ((pvc?.status as { phase?: string } | undefined)?.phase === "Bound") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    times.push(Date.now() - scheduledAt);
  }
  await removeBenchNamespace(target, namespace);
  return times;
}

/** The same reads one grading pass makes, each through its own kubectl process, as bash graders do. */
async function gradeWithKubectl(tasks: Awaited<ReturnType<typeof loadCatalog>>["tasks"], target: Target) {
  for (const loaded of tasks) {
    const vars = await resolveVars(loaded.task, target.api, target.nodes);
    await execa("kubectl", ["get", "nodes", "-o", "json"]);
    await execa("kubectl", ["get", "namespace", loaded.task.namespace, "-o", "json"], { reject: false });
    for (const check of loaded.task.checks.map((c) => fill(c, vars))) {
      if ("resource" in check) {
        const ref = check.resource;
        const kind = `${ref.kind}.${apiVersionOf(ref.kind, ref.apiVersion).split("/").reverse().join(".")}`;
        const what = ref.name ? [kind, ref.name] : [kind, "-l", ref.selector ?? ""];
        await execa("kubectl", ["get", ...what, "-n", ref.namespace ?? loaded.task.namespace, "-o", "json"], {
          reject: false,
        });
      } else if ("file" in check) {
        await readFile(join(vars.answers ?? "", check.file), "utf8").catch(() => "");
      } else if ("nodeFile" in check) {
        await target.nodes?.read(check.nodeFile.node, check.nodeFile.path);
      }
    }
  }
}

const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Median wall time of five runs of a command, each a new process. */
async function coldRuns(command: string, args: string[]): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push((await timed(() => execa(command, args, { reject: false })))[1]);
  return median(runs);
}

/** A new node process per command, as a learner's shell runs it; kubectl is the yardstick. */
async function coldStart(): Promise<void> {
  const kubectl = await coldRuns("kubectl", ["get", "pods", "-n", "pods-redis"]);
  const check = await coldRuns("node", [cli, "check", "pod-fix-redis-image"]);
  const help = await coldRuns("node", [cli, "--help"]);
  const list = await coldRuns("node", [cli, "list"]);
  say("cold start (a new process each, median of 5)");
  say(`  kubectl get pods                  ${seconds(kubectl)}`);
  say(
    `  kubedrill check (one task)        ${seconds(check)}   (target ≤ 0.35s; ${(check / kubectl).toFixed(2)}× kubectl get pods)`,
  );
  say(`  kubedrill --help                  ${seconds(help)}`);
  say(`  kubedrill list                    ${seconds(list)}   (asks the cluster what it can run)`);
  // Issue 11: a node command's round trip, CLI start included, as a solution script runs it.
  const nodeExec = await coldRuns("node", [cli, "node", "exec", "kubedrill-worker", "--", "true"]);
  say(`  kubedrill node exec NODE -- true  ${seconds(nodeExec)}   (target ≤ 0.15s)`);
}

/**
 * An unsolved task as a learner grades it after reading the question: what its checks
 * read has been as setup left it for longer than any `within`, so nothing is settling
 * and the task must be graded in one pass (issue 9: under 2 s).
 */
async function unsolvedGrading(
  tasks: Awaited<ReturnType<typeof loadCatalog>>["tasks"],
  target: Target,
): Promise<void> {
  for (const loaded of tasks) await start(loaded, target);
  const longest = Math.max(
    ...tasks.flatMap((t) =>
      t.task.checks.map((c) => ("within" in c && c.within ? parseDuration(c.within) : 0)),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, longest + 1000));
  const times: number[] = [];
  for (const loaded of tasks) {
    const [report, ms] = await timed(() => grade([loaded], target, 66));
    if (report.earned === report.total) throw new Error(`${loaded.task.id} passed unsolved`);
    times.push(ms);
  }
  say(`grading an unsolved task, after ${seconds(longest)} (no check settling), median of ${times.length}`);
  say(
    `  one task                          ${seconds(median(times))}   (target < 2s; max ${seconds(Math.max(...times))})`,
  );
}

/** The catalog's proofs as `verify --all` runs them: namespace-bound tasks side by side. */
async function proofs(
  tasks: Awaited<ReturnType<typeof loadCatalog>>["tasks"],
  target: Target,
): Promise<void> {
  const [results, wall] = await timed(() =>
    proveAll(tasks, 4, (loaded) =>
      verifyTask(loaded, target, (script) => runScript(script, builtCli), { alongside: tasks }),
    ),
  );
  const failed = results.filter((r) => !r.passed).map((r) => r.id);
  if (failed.length > 0) throw new Error(`proofs failed: ${failed.join(", ")}`);
  const alone = (await Promise.all(tasks.map(sharedState))).filter((s) => s?.scope === "cluster").length;
  const serial = results.reduce((sum, r) => sum + r.durationMs, 0);
  say(`proving the catalog (verify --all, 4 jobs; ${alone} of ${tasks.length} tasks run alone)`);
  say(`  wall time                         ${seconds(wall)}   (${seconds(wall / tasks.length)} per task)`);
  say(`  one after another would take      ${seconds(serial)}   (sum of the proofs' own times)`);
}

async function main(): Promise<void> {
  if (process.argv.includes("--cold-build")) await coldBuild();
  await ensureBinary((line) => process.stderr.write(`${line}\n`));
  const root = await mkdtemp(join(tmpdir(), "kubedrill-bench-"));
  const env = { KUBECONFIG: join(root, "kubeconfig"), KUBEDRILL_STATE_DIR: join(root, "state") };
  const answers = join(root, "answers");
  Object.assign(process.env, env, { KUBEDRILL_ANSWERS: answers });
  const paths = localPaths(env.KUBEDRILL_STATE_DIR);
  try {
    const result = await up(() => {}, paths);
    say("local cluster");
    say(`  start to three Ready nodes, add-ons running ${result.seconds.toFixed(2)}s   (target ≤ 6s)`);
    const target = await connect({});
    const times = await podToRunning(target);
    say(
      `  pod create → Running, median      ${seconds(median(times))}   (target ≤ 2s; max ${seconds(Math.max(...times))})`,
    );
    const crashes = await podToCrashLoop(target);
    say(
      `  failing command → CrashLoopBackOff ${seconds(median(crashes))}   (target ≤ 15s; median of 3, max ${seconds(Math.max(...crashes))})`,
    );
    const bound = await claimBound(target);
    say(
      `  pod scheduled → its claim Bound   ${seconds(median(bound))}   (target ≤ 2s; median of 5, max ${seconds(Math.max(...bound))})`,
    );
    const restarts = await schedulerRestarts(paths);
    say(
      `  scheduler manifest edit → serving ${seconds(median(restarts))}   (target ≤ 5s; median of 3, max ${seconds(Math.max(...restarts))})`,
    );
    const mem = await memory(paths);
    say(
      `  memory of the seven processes     RSS ${(mem.rss / 1024).toFixed(2)} GiB, PSS ${(mem.pss / 1024).toFixed(2)} GiB   (target ≤ 1.3 GiB RSS, metrics-server included)`,
    );

    if (process.argv.includes("--cluster-only")) return;
    const { tasks: catalog } = await loadCatalog([builtinTasks], expressionChecker);
    // Solved side by side in one cluster, only tasks that keep to their namespace can all pass at once.
    const states = await Promise.all(catalog.map(sharedState));
    const tasks = catalog.filter((_, i) => states[i] === undefined);
    for (const loaded of tasks) {
      await start(loaded, target);
      const solved = await runScript(await solutionScript(loaded, target), builtCli);
      if (!solved.ok) throw new Error(`${loaded.task.id}: reference solution failed\n${solved.output}`);
    }
    const first = await grade(tasks, target, 66);
    if (first.earned !== first.total) throw new Error(`solved catalog scored ${first.earned}/${first.total}`);
    const checks = tasks.reduce((n, t) => n + t.task.checks.length, 0);
    const engine: number[] = [];
    for (let i = 0; i < 10; i++) engine.push((await timed(() => grade(tasks, target, 66)))[1]);
    const kubectl: number[] = [];
    for (let i = 0; i < 3; i++) kubectl.push((await timed(() => gradeWithKubectl(tasks, target)))[1]);
    say(`grading the catalog (${tasks.length} tasks that keep to their namespace, ${checks} checks, solved)`);
    say(`  kubedrill engine, median of 10    ${seconds(median(engine))}`);
    say(`  one kubectl per check, median of 3 ${seconds(median(kubectl))}`);
    say(
      `  ratio                             ${(median(kubectl) / median(engine)).toFixed(1)}×   (target ≥ 20×)`,
    );
    const resets = [...(await resetTimes(tasks, target)).values()];
    say(
      `reset of a solved task, median of ${resets.length} ${seconds(median(resets))}   (target ≤ 1s; max ${seconds(Math.max(...resets))})`,
    );
    // The resets above left every task unsolved; a cold check of an unsolved task would
    // time its `within` wait, not start-up and grading.
    const cold = tasks.find((t) => t.task.id === "pod-fix-redis-image");
    if (!cold) throw new Error("pod-fix-redis-image is not in the catalog");
    await start(cold, target);
    if (!(await runScript(await solutionScript(cold, target), builtCli)).ok)
      throw new Error("re-solving failed");
    await coldStart();
    await unsolvedGrading(tasks, target);
    await proofs(catalog, target);
  } finally {
    await down(paths);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
