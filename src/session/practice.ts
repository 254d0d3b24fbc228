import { randomBytes } from "node:crypto";
import type { LoadedTask } from "../catalog/load.js";
import type { GradeEnv } from "../engine/grade.js";
import { skipReason } from "../engine/requires.js";
import { describeTask, grade, reset, solutionScript, start, type Target } from "../engine/run.js";
import { instanceOf } from "../engine/vars.js";
import { ClusterError } from "../errors.js";
import type { TaskResult } from "../model/results.js";
import type { HistoryStore } from "./history.js";
import { pickTask } from "./pick.js";
import { isPromptExit, type Prompts } from "./prompts.js";
import { checkSummary } from "./render.js";

/** What practice needs from the engine and the cluster; unit tests hand in fakes. */
export interface Drill {
  /** Why this cluster cannot run the task (it lacks what the task requires); undefined when it can. */
  cannotRun(loaded: LoadedTask): string | undefined;
  /** Sets the task up: the instance of seed, or a new one; returns the seed drawn (none without drawn variables). */
  start(loaded: LoadedTask, seed?: string): Promise<{ answers: string; seed?: string }>;
  check(loaded: LoadedTask): Promise<TaskResult>;
  reset(loaded: LoadedTask): Promise<void>;
  describe(loaded: LoadedTask): Promise<string>;
  solution(loaded: LoadedTask): Promise<string>;
}

/** The engine on a real cluster; onWait hears when a check waits (`within`) for the cluster to settle. */
export function drillOn(target: Target, onWait?: GradeEnv["onWait"]): Drill {
  return {
    cannotRun: (loaded) => skipReason(loaded.task.requires, target.capabilities),
    start: async (loaded, seed) => {
      const vars = await start(loaded, target, seed);
      return { answers: vars.answers ?? "", seed: instanceOf(vars)?.seed };
    },
    check: async (loaded) => (await grade([loaded], target, 100, onWait)).tasks[0] as TaskResult,
    reset: (loaded) => reset(loaded, target),
    describe: (loaded) => describeTask(loaded, target),
    solution: (loaded) => solutionScript(loaded, target),
  };
}

export interface PracticeIO {
  prompts: Prompts;
  print(text: string): void;
  /** The terminal rendering of a graded task: each check ✓/✗ with points and reasons. */
  renderResult(result: TaskResult): string;
  now(): number;
}

export interface PracticeEnd {
  how: "quit" | "interrupted";
  /** The task still set up on the cluster, for the goodbye to say how to reset it. */
  task?: string;
}

/**
 * The learner's loop: pick a task, work on it (check, hint, solution, reset),
 * move on. Ctrl+C at any prompt ends it like Quit, only reported as interrupted.
 */
export async function practice(
  tasks: LoadedTask[],
  drill: () => Promise<Drill>,
  history: HistoryStore,
  io: PracticeIO,
): Promise<PracticeEnd> {
  let current: LoadedTask | undefined;
  try {
    const cluster = await drill();
    const reasons = tasks.map((t) => cluster.cannotRun(t));
    if (reasons.every(Boolean)) {
      throw new ClusterError(
        `this cluster can run none of the ${tasks.length} tasks (${reasons[0]})`,
        undefined,
        "kubedrill doctor shows what the cluster offers; the local cluster runs every seed task: kubedrill cluster up",
      );
    }
    for (;;) {
      current = await pickTask(tasks, await history.read(), io.prompts, cluster.cannotRun);
      if (!current) return { how: "quit" };
      const next = await work(current, cluster, history, io);
      if (next === "quit") return { how: "quit", task: current.task.id };
      io.print(`cleaning up ${current.task.id}…`);
      await cluster.reset(current);
      current = undefined;
    }
  } catch (err) {
    if (isPromptExit(err)) return { how: "interrupted", task: current?.task.id };
    throw err;
  }
}

type Action = "check" | "hint" | "solution" | "reset" | "next" | "quit";

/** One go at a task, from its setup (or reset) on; checks within it share its id and clock. */
interface Attempt {
  id: string;
  startedAt: number;
  hintsShown: number;
  /** The solution was shown: a pass no longer counts as the learner's own. */
  assisted: boolean;
  passed: boolean;
  /** The instance, for a task with drawn variables: Reset sets the same one up again. */
  seed?: string;
}

async function begin(loaded: LoadedTask, drill: Drill, io: PracticeIO, before?: Attempt): Promise<Attempt> {
  io.print(`setting up ${loaded.task.id}…`);
  // A new try draws a new instance; a reset keeps the one the learner was working on.
  const { answers, seed } = await drill.start(loaded, before?.seed);
  io.print(`\n${await drill.describe(loaded)}\n`);
  if (seed)
    io.print(
      `Seed ${seed} (kubedrill start ${loaded.task.id} --seed ${seed} sets this instance up again).\n`,
    );
  io.print(
    `Time budget: ${loaded.task.minutes} min, from now. Solve it with kubectl in another terminal` +
      `${answers ? `; answer files go in ${answers}/` : ""}. Then choose Check.\n`,
  );
  // Hints seen and a solution shown stay known after a reset.
  return {
    id: randomBytes(4).toString("hex"),
    startedAt: io.now(),
    hintsShown: before?.hintsShown ?? 0,
    assisted: before?.assisted ?? false,
    passed: false,
    seed,
  };
}

function menu(loaded: LoadedTask, attempt: Attempt) {
  const hints = loaded.task.hints.length;
  const noHint = hints === 0 ? "this task has no hints" : "no more hints";
  return [
    { name: "Check my work", value: "check" as Action },
    {
      name: `Hint (${Math.min(attempt.hintsShown + 1, hints)} of ${hints})`,
      value: "hint" as Action,
      disabled: attempt.hintsShown >= hints ? noHint : false,
    },
    { name: "Show the solution", value: "solution" as Action },
    { name: "Reset: start this task over", value: "reset" as Action },
    { name: "Next task (cleans this one up)", value: "next" as Action },
    { name: "Quit (leaves the task as it is)", value: "quit" as Action },
  ];
}

/** One task until the learner moves on: returns what they chose. */
async function work(
  loaded: LoadedTask,
  drill: Drill,
  history: HistoryStore,
  io: PracticeIO,
): Promise<"next" | "quit"> {
  const { task } = loaded;
  let attempt = await begin(loaded, drill, io);
  for (;;) {
    const action = await io.prompts.select({
      message: `${task.id}: what next?`,
      choices: menu(loaded, attempt),
      default: attempt.passed ? "next" : "check",
    });
    if (action === "next" || action === "quit") return action;
    if (action === "check") {
      await check(loaded, attempt, drill, history, io);
    } else if (action === "hint") {
      attempt.hintsShown++;
      io.print(`Hint ${attempt.hintsShown} of ${task.hints.length}: ${task.hints[attempt.hintsShown - 1]}\n`);
    } else if (action === "solution") {
      await showSolution(loaded, attempt, drill, io);
    } else if (
      await io.prompts.confirm({
        message: `Start over? Reset deletes namespace ${task.namespace} and everything made for ${task.id}.`,
        default: false,
      })
    ) {
      attempt = await begin(loaded, drill, io, attempt);
    }
  }
}

/** Grades now, shows each check with points and reasons, the score and the time, and records it. */
async function check(
  loaded: LoadedTask,
  attempt: Attempt,
  drill: Drill,
  history: HistoryStore,
  io: PracticeIO,
) {
  const { task } = loaded;
  io.print("checking…");
  const result = await drill.check(loaded);
  const elapsed = io.now() - attempt.startedAt;
  attempt.passed = result.passed;
  io.print(`${io.renderResult(result)}${checkSummary(result, elapsed, task.minutes)}\n`);
  await history.append({
    type: "task",
    at: new Date(io.now()).toISOString(),
    source: "practice",
    task: task.id,
    domain: task.domain,
    earned: result.earned,
    total: result.total,
    passed: result.passed,
    durationMs: elapsed,
    assisted: attempt.assisted,
    hints: attempt.hintsShown,
    attempt: attempt.id,
    seed: result.seed,
  });
}

async function showSolution(loaded: LoadedTask, attempt: Attempt, drill: Drill, io: PracticeIO) {
  const sure = await io.prompts.confirm({
    message: "Show the reference solution? This attempt then counts as assisted.",
    default: false,
  });
  if (!sure) return;
  attempt.assisted = true;
  const script = await drill.solution(loaded);
  io.print(`Reference solution (any correct way passes):\n\n${script.trimEnd().replace(/^/gm, "  ")}\n`);
}
