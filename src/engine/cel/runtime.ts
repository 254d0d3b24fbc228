import { type CelFunc, CelScalar, celFunc } from "@bufbuild/cel";

/**
 * State of the one evaluation under way. CEL evaluation is synchronous, so the functions
 * that need it (the cost counter, cluster reads) find it here rather than in a binding.
 */
export interface Run {
  cost: number;
  limit: number;
  exceeded: boolean;
  reads: Reads;
}

/** Objects read before evaluation, keyed by readKey of the call's arguments. */
export type Reads = ReadonlyMap<string, unknown>;

/** The cost one expression may spend, as the API server's per-call limit for ValidatingAdmissionPolicy. */
export const costLimit = 1_000_000;

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
  current.cost += Number(weight);
  if (current.cost > current.limit) current.exceeded = true;
  return !current.exceeded;
});

export function readKey(fn: "get" | "list", args: readonly string[]): string {
  return JSON.stringify([fn, ...args]);
}
