import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import type { LoadedTask } from "../../src/catalog/load.js";
import { connect } from "../../src/cluster/connect.js";
import { runScript } from "../../src/cluster/shell.js";
import { gradeTask } from "../../src/engine/grade.js";
import { proveAll } from "../../src/engine/prove-all.js";
import { reset, start, type Target } from "../../src/engine/run.js";
import { fill, resolveVars } from "../../src/engine/vars.js";
import { verifyTask } from "../../src/engine/verify.js";
import { otherSolutions } from "./other-solutions.js";
import { testEnv } from "./paths.js";

// The proof of the catalog, against the real local cluster with the real kubectl:
// unsolved scores 0, the reference solution passes, reset leaves nothing; and for
// each task one other correct solution passes and one plausible wrong one fails.

const catalog = await loadCatalog([builtinTasks]);
let target: Target;

async function solveWith(loaded: LoadedTask, script: string) {
  // start empties the task's answers folder: a fresh attempt each time.
  await start(loaded, target);
  const vars = await resolveVars(loaded.task, target.api, target.nodes);
  const run = await runScript(fill(script, vars));
  const result = await gradeTask(loaded, { cluster: target.api, nodes: target.nodes });
  await reset(loaded, target);
  return { run, result };
}

/** One task's proofs, one after another on its namespace: verify, another correct solution, a wrong one. */
async function prove(loaded: LoadedTask) {
  const other = otherSolutions[loaded.task.id];
  const verification = await verifyTask(loaded, target, runScript);
  const correct = await solveWith(loaded, other?.correct.script ?? "false");
  const wrong = await solveWith(loaded, other?.wrong.script ?? "true");
  return { verification, correct, wrong };
}

// Tasks that keep to their namespace are proved side by side; those that touch nodes or
// cluster-scoped objects alone (proveAll decides from the task data).
const proofs = new Map<string, Awaited<ReturnType<typeof prove>>>();

beforeAll(async () => {
  target = await connect({ write: true });
  await rm(testEnv.KUBEDRILL_ANSWERS, { recursive: true, force: true });
  const results = await proveAll(catalog.tasks, 4, prove);
  for (const [i, loaded] of catalog.tasks.entries()) {
    proofs.set(loaded.task.id, results[i] as Awaited<ReturnType<typeof prove>>);
  }
}, 900_000);

afterAll(async () => {
  for (const loaded of catalog.tasks) await reset(loaded, target);
});

it("the built-in catalog loads without problems and holds the nine seed tasks", () => {
  expect(catalog.problems).toEqual([]);
  expect(catalog.tasks.map((t) => t.task.id).sort()).toEqual(Object.keys(otherSolutions).sort());
});

describe.each(catalog.tasks.map((t) => [t.task.id, t] as const))("%s", (id, loaded) => {
  const other = otherSolutions[id];
  const proof = () => proofs.get(id) as Awaited<ReturnType<typeof prove>>;

  it("scores 0 unsolved, passes with its reference solution, and reset leaves nothing", () => {
    const { verification } = proof();
    expect(verification.problems).toEqual([]);
    const unsolvedEarned = verification.unsolved?.checks
      .filter((_, i) => !loaded.task.checks[i]?.passesUnsolved)
      .reduce((sum, c) => sum + c.earned, 0);
    expect(unsolvedEarned).toBe(0);
    expect(verification.solved?.earned).toBe(verification.solved?.total);
  });

  it(`passes another correct solution: ${other?.correct.how}`, () => {
    const { run, result } = proof().correct;
    expect(run.ok, run.output).toBe(true);
    expect(result.checks.filter((c) => !c.passed).map((c) => `${c.title}: ${c.reasons}`)).toEqual([]);
  });

  it(`fails a plausible wrong solution: ${other?.wrong.how}`, () => {
    const { run, result } = proof().wrong;
    expect(run.ok, run.output).toBe(true);
    const failed = result.checks.filter((c) => !c.passed).map((c) => c.title);
    expect(failed).toEqual(other?.wrong.fails);
    expect(result.earned).toBeLessThan(result.total);
  });
});
