import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { builtinTasks, findTask, openCatalog } from "../../src/catalog/catalog.js";
import { connect } from "../../src/cluster/connect.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { reset } from "../../src/engine/run.js";
import { readHistory } from "../../src/session/history.js";
import { repoRoot, testEnv } from "./paths.js";

// The learner's loop in a real pseudo-terminal: `kubedrill practice` runs inside tmux,
// the learner picks the redis task by search, fixes it with kubectl from a second
// process, chooses Check, and the screen shows the task passed. Needs tmux
// (Debian: apt-get install tmux).

const pane = "practice";
const answers = join(testEnv.KUBEDRILL_ANSWERS, "pod-fix-redis-image");
let scratch: string;
let history: string;

/** A tmux server of this test's own, its socket in the scratch folder so that nothing is left behind. */
function tmux(args: string[]) {
  return execa("tmux", ["-S", join(scratch, "tmux.sock"), "-f", "/dev/null", ...args]);
}

const screen = async () => (await tmux(["capture-pane", "-p", "-J", "-t", pane, "-S", "-300"])).stdout;

/** Polls the screen until it shows the pattern; on timeout fails with what it shows instead. */
async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
    await sleep(100);
  }
}

const press = (...keys: string[]) => tmux(["send-keys", "-t", pane, ...keys]);

function kubectl(args: string[], stdoutFile?: string) {
  return execa("kubectl", args, { env: testEnv, ...(stdoutFile ? { stdout: { file: stdoutFile } } : {}) });
}

beforeAll(async () => {
  const found = await execa("tmux", ["-V"], { reject: false });
  if (found.failed)
    throw new Error("this test drives a real terminal with tmux; install it (apt-get install tmux)");
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-tty-"));
  history = join(scratch, "history.jsonl");
  await rm(answers, { recursive: true, force: true });
  const env = { ...testEnv, KUBEDRILL_HISTORY: history, XDG_STATE_HOME: join(scratch, "state") };
  const command = `node ${join(repoRoot, "dist", "cli", "main.js")} practice; echo "[exit $?]"; sleep 600`;
  await tmux([
    "new-session",
    "-d",
    "-s",
    pane,
    "-x",
    "120",
    "-y",
    "50",
    ...Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
    command,
  ]);
});

afterAll(async () => {
  await tmux(["kill-server"]).catch(() => undefined);
  const target = await connect({ write: true });
  await reset(findTask(await openCatalog([builtinTasks], expressionChecker), "pod-fix-redis-image"), target);
  await rm(scratch, { recursive: true, force: true });
});

it("practice in a terminal: pick pod-fix-redis-image by search, fix it with kubectl elsewhere, Check shows it passed", async () => {
  await waitFor(/Pick a task/);
  await press("Down", "Down", "Down", "Enter");
  await waitFor(/Search tasks by id, title or domain/);
  await tmux(["send-keys", "-t", pane, "-l", "redis"]);
  await waitFor(/❯\s+pod-fix-redis-image\s+Fix the redis pod/);
  await press("Enter");
  const set = await waitFor(/pod-fix-redis-image: what next\?/);
  expect(set).toContain("Time budget: 6 min, from now.");
  // Practice drew an instance: the screen shows its seed, the namespace records its values.
  const seed = /Seed (\w+) \(kubedrill start pod-fix-redis-image --seed \1 /.exec(set)?.[1];
  expect(seed, set).toBeDefined();
  const ns = JSON.parse((await kubectl(["get", "ns", "pods-redis", "-o", "json"])).stdout);
  const instance = JSON.parse(ns.metadata.annotations["kubedrill.dev/instance"]);
  expect(instance.seed).toBe(seed);
  const { pod, broken, image } = instance.values as { pod: string; broken: string; image: string };
  expect(set).toContain(`a pod named \`${pod}\` that runs the image \`${broken}\``);

  // The learner's other terminal, typing the instance on the screen.
  await mkdir(answers, { recursive: true });
  await kubectl(
    ["run", pod, `--image=${broken}`, "--dry-run=client", "-o", "yaml"],
    join(answers, `${pod}.yaml`),
  );
  await kubectl(["-n", "pods-redis", "create", "-f", join(answers, `${pod}.yaml`)]);
  await kubectl(["-n", "pods-redis", "set", "image", `pod/${pod}`, `${pod}=${image}`]);

  await press("Enter");
  const checked = await waitFor(/Passed: 6\/6 points in/, 60_000);
  expect(checked).toContain("pod-fix-redis-image  Fix the redis pod  6/6 points");
  expect(checked).toContain(`✓ The answer file ${pod}.yaml is a Pod manifest named ${pod}  (2/2)`);
  expect(checked).toContain(`✓ Pod ${pod} uses the image ${image}  (2/2)`);
  expect(checked).toContain(`✓ Pod ${pod} is Running  (2/2)`);
  expect(checked).not.toContain("✗");

  await waitFor(/❯ Next task/);
  await press("Down", "Enter");
  const end = await waitFor(/\[exit \d+\]/);
  expect(end).toContain(
    "Bye: pod-fix-redis-image is still set up; to clean it up: kubedrill reset pod-fix-redis-image.",
  );
  expect(end).toContain("[exit 0]");
  const { records } = await readHistory(history);
  expect(records).toMatchObject([
    {
      type: "task",
      source: "practice",
      task: "pod-fix-redis-image",
      earned: 6,
      total: 6,
      passed: true,
      assisted: false,
      seed,
    },
  ]);
});
