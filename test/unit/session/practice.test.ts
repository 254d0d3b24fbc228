import { describe, expect, it } from "vitest";
import type { LoadedTask } from "../../../src/catalog/load.js";
import type { TaskResult } from "../../../src/model/results.js";
import { renderTaskHuman } from "../../../src/report/human.js";
import type { HistoryRecord } from "../../../src/session/history.js";
import { type Drill, practice } from "../../../src/session/practice.js";
import { fakeTask, seedShaped } from "./fixtures.js";
import { ctrlC, type Step, scriptedPrompts } from "./prompt-script.js";

function result(loaded: LoadedTask, passing: number): TaskResult {
  const checks = loaded.task.checks.map((c, i) => ({
    title: c.title,
    points: c.points,
    earned: i < passing ? c.points : 0,
    passed: i < passing,
    mismatches:
      i < passing
        ? []
        : [{ path: "", message: `Pod ${loaded.task.id} not found in namespace ${loaded.task.namespace}` }],
    durationMs: 1,
  }));
  const earned = checks.reduce((sum, c) => sum + c.earned, 0);
  const total = checks.reduce((sum, c) => sum + c.points, 0);
  return {
    id: loaded.task.id,
    title: loaded.task.title,
    domain: loaded.task.domain,
    checks,
    earned,
    total,
    passed: earned === total,
    durationMs: 1,
  };
}

/** A practice run against a fake cluster whose checks pass from the given check on; a minute passes per check. */
async function run(
  steps: Step[],
  options: { tasks?: LoadedTask[]; passFrom?: number; cannot?: Record<string, string> } = {},
) {
  const calls: string[] = [];
  const records: HistoryRecord[] = [];
  const output: string[] = [];
  let clock = 0;
  let checks = 0;
  const drill: Drill = {
    cannotRun: (t) => options.cannot?.[t.task.id],
    start: async (t, seed) => {
      calls.push(`start ${t.task.id}${seed ? ` --seed ${seed}` : ""}`);
      // A new instance per start unless a seed is given, as the engine draws one.
      return { answers: `/answers/${t.task.id}`, seed: seed ?? `drawn${calls.length}` };
    },
    check: async (t) => {
      calls.push(`check ${t.task.id}`);
      clock += 60_000;
      checks++;
      return result(t, checks >= (options.passFrom ?? 1) ? t.task.checks.length : 1);
    },
    reset: async (t) => {
      calls.push(`reset ${t.task.id}`);
    },
    describe: async (t) => `${t.task.title}\n${t.task.description}`,
    solution: async (t) => t.task.solution,
  };
  const script = scriptedPrompts(steps);
  const end = await practice(
    options.tasks ?? seedShaped,
    async () => drill,
    { read: async () => records, append: async (r) => void records.push(r) },
    {
      prompts: script.prompts,
      print: (text) => output.push(text),
      renderResult: (r) => renderTaskHuman(r, { color: false }),
      now: () => clock,
    },
  );
  expect(script.unused(), "every scripted prompt was asked").toBe(0);
  return { end, calls, records, output: output.join("\n"), screens: script.screens };
}

const menu = /pod-fix-redis-image: what next\?/;
const pickSearch: Step[] = [
  { sees: /Pick a task/, keys: ["down", "down", "down", "enter"] },
  { sees: /Search tasks/, type: "redis", shows: /pod-fix-redis-image/, keys: ["enter"] },
];
const quitAtPick: Step = { sees: /Pick a task/, keys: ["up", "enter"] };

describe("practice", () => {
  it("search → check (fails) → hint → check (passes) → next task cleans up → quit", async () => {
    const { end, calls, records, output, screens } = await run(
      [
        ...pickSearch,
        { sees: menu, keys: ["enter"] },
        { sees: /❯ Check my work/, keys: ["down", "enter"] },
        { sees: /Hint \(2 of 2\)/, keys: ["enter"] },
        { sees: /❯ Next task/, keys: ["enter"] },
        quitAtPick,
      ],
      { passFrom: 2 },
    );
    expect(screens[1]).not.toMatch(/static-pod/);
    expect(end).toEqual({ how: "quit" });
    expect(calls).toEqual([
      "start pod-fix-redis-image",
      "check pod-fix-redis-image",
      "check pod-fix-redis-image",
      "reset pod-fix-redis-image",
    ]);
    expect(output).toContain("Time budget: 5 min, from now.");
    expect(output).toContain("answer files go in /answers/pod-fix-redis-image/");
    expect(output).toMatch(
      /✗ Pod pod-fix-redis-image is Running {2}\(0\/1\)\n\s+Pod pod-fix-redis-image not found/,
    );
    expect(output).toContain("Not yet: 2/3 points after 1m 00s (budget 5 min).");
    expect(output).toContain("Hint 1 of 2: first hint");
    expect(output).toContain("pod-fix-redis-image  Title of pod-fix-redis-image  3/3 points");
    expect(output).toContain("Passed: 3/3 points in 2m 00s (budget 5 min).");
    expect(records).toMatchObject([
      {
        source: "practice",
        task: "pod-fix-redis-image",
        passed: false,
        earned: 2,
        durationMs: 60_000,
        hints: 0,
      },
      {
        source: "practice",
        task: "pod-fix-redis-image",
        passed: true,
        earned: 3,
        durationMs: 120_000,
        hints: 1,
      },
    ]);
    const [first, second] = records as [
      HistoryRecord & { attempt: string },
      HistoryRecord & { attempt: string },
    ];
    expect(second.attempt).toBe(first.attempt);
  });

  it("asks before showing the solution (default no), then marks the attempt assisted", async () => {
    const { end, records, output, calls } = await run([
      ...pickSearch,
      { sees: menu, keys: ["down", "down", "enter"] },
      { sees: /counts as assisted/, keys: ["enter"] },
      { sees: menu, keys: ["down", "down", "enter"] },
      { sees: /counts as assisted/, type: "y", keys: ["enter"] },
      { sees: /❯ Check my work/, keys: ["enter"] },
      { sees: /❯ Next task/, keys: ["down", "enter"] },
    ]);
    expect(output.match(/Reference solution/g)).toHaveLength(1);
    expect(output).toContain("  kubectl run pod-fix-redis-image --image=nginx");
    expect(records).toMatchObject([{ passed: true, assisted: true }]);
    expect(end).toEqual({ how: "quit", task: "pod-fix-redis-image" });
    expect(calls).not.toContain("reset pod-fix-redis-image");
  });

  it("ends as interrupted on Ctrl+C at any prompt, naming the task left set up", async () => {
    const atMenu = await run([...pickSearch, { sees: menu, keys: [ctrlC] }]);
    expect(atMenu.end).toEqual({ how: "interrupted", task: "pod-fix-redis-image" });
    const atConfirm = await run([
      ...pickSearch,
      { sees: menu, keys: ["down", "down", "enter"] },
      { sees: /counts as assisted/, keys: [ctrlC] },
    ]);
    expect(atConfirm.end).toEqual({ how: "interrupted", task: "pod-fix-redis-image" });
    const atPick = await run([{ sees: /Pick a task/, keys: [ctrlC] }]);
    expect(atPick.end).toEqual({ how: "interrupted", task: undefined });
  });

  it("disables Hint once every hint is shown", async () => {
    const oneHint = fakeTask("pod-fix-redis-image", "troubleshooting", { hints: ["only hint"] });
    const { screens } = await run(
      [
        ...pickSearch,
        { sees: /Hint \(1 of 1\)/, keys: ["down", "enter"] },
        { sees: /no more hints/, keys: ["down", "down", "down", "down", "enter"] },
      ],
      { tasks: [oneHint] },
    );
    // From Check, down skips the disabled Hint: Solution, Reset, Next, Quit.
    expect(screens.at(-1)).toMatch(/- Hint \(1 of 1\) no more hints/);
  });

  it("resets on request: sets the task up again and starts a new attempt with a fresh clock", async () => {
    const { calls, records } = await run(
      [
        ...pickSearch,
        { sees: menu, keys: ["enter"] },
        { sees: menu, keys: ["down", "down", "down", "enter"] },
        { sees: /Start over\? Reset deletes namespace ns-pod-fix-redis-image/, type: "y", keys: ["enter"] },
        { sees: menu, keys: ["enter"] },
        { sees: /❯ Check my work/, keys: ["up", "enter"] },
      ],
      { passFrom: 99 },
    );
    // The same instance again: the learner starts over on the task they had.
    expect(calls.filter((c) => c.startsWith("start"))).toEqual([
      "start pod-fix-redis-image",
      "start pod-fix-redis-image --seed drawn1",
    ]);
    const [before, after] = records as [
      HistoryRecord & { attempt: string },
      HistoryRecord & { attempt: string },
    ];
    expect(after.attempt).not.toBe(before.attempt);
    expect(after).toMatchObject({ durationMs: 60_000 });
  });

  it("picks by domain among the domains that have tasks, heaviest first, and suggests the heaviest untried one", async () => {
    const { screens, calls } = await run([
      { sees: /Suggested: Title of pod-fix-redis-image/, keys: ["down", "enter"] },
      { sees: /Which domain\?/, keys: ["down", "enter"] },
      { sees: /Which task\?/, keys: ["down", "enter"] },
      { sees: /static-pod: what next\?/, keys: ["up", "enter"] },
    ]);
    expect(screens[1]).toMatch(
      /troubleshooting\s+2 tasks, 0 passed\n\s+architecture\s+2 tasks, 0 passed\n\s+workloads\s+5 tasks/,
    );
    expect(screens[1]).not.toContain("storage");
    expect(calls).toEqual(["start static-pod"]);
  });

  it("picks by difficulty", async () => {
    const { calls } = await run([
      { sees: /Pick a task/, keys: ["down", "down", "enter"] },
      {
        sees: /easy\s+3 tasks, 0 passed\n\s+medium\s+5 tasks, 0 passed\n\s+hard\s+1 task, 0 passed/,
        keys: ["down", "down", "enter"],
      },
      { sees: /pod-init-container/, keys: ["enter"] },
      { sees: /pod-init-container: what next\?/, keys: ["up", "enter"] },
    ]);
    expect(calls).toEqual(["start pod-init-container"]);
  });

  it("shows tasks the cluster cannot run as disabled with the reason, and never suggests them", async () => {
    const cannot = {
      "pod-fix-redis-image": "needs containers: kwok runs no containers",
      "pod-pending-scheduler": "needs 2 worker nodes: the cluster has 1 Ready",
    };
    const tasks = seedShaped.slice(0, 4);
    const searched = await run(
      [
        { sees: /Suggested: Title of pod-infra-container/, keys: ["down", "down", "down", "enter"] },
        { sees: /Search tasks/, keys: ["enter"] },
        { sees: /pod-infra-container: what next\?/, keys: ["up", "enter"] },
      ],
      { cannot, tasks },
    );
    expect(searched.screens[1]).toMatch(
      /- {3}pod-fix-redis-image [\s\S]*? needs containers: kwok runs no containers/,
    );
    expect(searched.screens[1]).toMatch(/- {3}pod-pending-scheduler [\s\S]*? needs 2 worker nodes/);
    const byDomain = await run(
      [
        { sees: /Pick a task/, keys: ["down", "enter"] },
        { sees: /❯ architecture/, keys: ["enter"] },
        { sees: /Which task\?/, keys: ["enter"] },
        { sees: /pod-infra-container: what next\?/, keys: ["up", "enter"] },
      ],
      { cannot, tasks },
    );
    expect(byDomain.screens[1]).toMatch(/- troubleshooting\s+2 tasks, 0 passed none this cluster can run/);
  });

  it("refuses a cluster that can run none of the tasks, saying why", async () => {
    const cannot = Object.fromEntries(seedShaped.map((t) => [t.task.id, "needs containers"]));
    await expect(run([], { cannot })).rejects.toThrow(/can run none of the 9 tasks \(needs containers\)/);
  });
});
