import { type CelFunc, CelScalar, celFunc } from "@bufbuild/cel";

/**
 * State of the one evaluation under way. CEL evaluation is synchronous, so the functions
 * that need it (the cost counter, cluster reads) find it here rather than in a binding.
 */
export interface Run {
  cost: number;
  limit: number;
  /** Why the run was stopped: its cost, or (a backstop) its time. */
  exceeded?: "cost" | "time";
  /** Date.now() after which the run stops: a step may cost more than a unit (`in` over a long list). */
  deadline: number;
  reads: Reads;
}

/** Objects read before evaluation, keyed by readKey of the call's arguments. */
export type Reads = ReadonlyMap<string, unknown>;

/** The cost one expression may spend, as the API server's per-call limit for ValidatingAdmissionPolicy. */
export const costLimit = 1_000_000;
/** The backstop: no expression runs longer than this, whatever its counted cost. */
export const timeLimitMs = 3000;

let current: Run | undefined;

export function withRun<T>(run: Run, evaluate: () => T): T {
  const outer = current;
  current = run;
  try {
    return evaluate();
  } finally {
    current = outer;
  }
}

export function currentRun(): Run | undefined {
  return current;
}

/** The name of the hidden function each loop iteration calls; `@` keeps it out of what an author can write. */
export const costFunction = "@cost";

/** Charges one loop iteration; false stops the loop once the budget is spent. */
export const costCounter: CelFunc = celFunc(costFunction, [CelScalar.INT], CelScalar.BOOL, (weight) => {
  if (!current) return true;
  const before = current.cost;
  current.cost += Number(weight);
  if (current.cost > current.limit) current.exceeded ??= "cost";
  // Reading the clock every thousand units keeps the counter cheap.
  if (Math.floor(before / 1000) !== Math.floor(current.cost / 1000) && Date.now() > current.deadline) {
    current.exceeded ??= "time";
  }
  return current.exceeded === undefined;
});

export function readKey(fn: "get" | "list", args: readonly string[]): string {
  return JSON.stringify([fn, ...args]);
}
