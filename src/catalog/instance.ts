import { seededRandom } from "../model/random.js";
import type { Task } from "./schema.js";

/**
 * A task's instance: the values of its drawn variables (`oneOf`, `range`, `pattern`,
 * `node`) for one seed. Drawing is pure and repeatable: the same seed gives the same
 * instance, and every value stays inside its variable's set or range.
 *
 * Seeds are short words. `min` and `max` are the extremes: every variable at its first
 * choice, lowest number, lowest characters and shortest length (`min`), or at the
 * other end (`max`). Any other seed is hashed into a random sequence; `start` makes
 * one of six hex digits.
 */

type Variable = NonNullable<Task["vars"]>[string];
// A drawn pattern is the one with no node file or folder to read it from.
type Generated = { pattern: string; nodeFile?: never; nodeFolder?: never };
type DrawnShape = { oneOf: unknown } | { range: unknown } | { node: unknown } | Generated;
export type DrawnVariable = Extract<Variable, DrawnShape>;
/** A variable read from the cluster at start and check time. */
export type ReadVariable = Exclude<Variable, DrawnShape>;

export type Value = string | number;

export interface Instance {
  seed: string;
  values: Record<string, Value>;
}

const seedPattern = /^[A-Za-z0-9_-]{1,40}$/;

export function isDrawn(variable: Variable): variable is DrawnVariable {
  return "oneOf" in variable || "range" in variable || "node" in variable || isGenerated(variable);
}

function isGenerated(variable: Variable): variable is Extract<Variable, Generated> {
  return "pattern" in variable && !("nodeFile" in variable) && !("nodeFolder" in variable);
}

/** The task's drawn variables, by name; empty for a task that is always the same. */
export function drawnVariables(task: Task): [string, DrawnVariable][] {
  return Object.entries(task.vars ?? {}).filter((entry): entry is [string, DrawnVariable] =>
    isDrawn(entry[1]),
  );
}

/** What the cluster contributes to a draw: the worker nodes a `node: worker` variable picks from. */
export interface DrawContext {
  workers: string[];
}

/**
 * The instance of a seed. Each variable draws from its own sequence (seed and name), so
 * adding a variable to a task leaves the others' values as they were.
 */
export function drawInstance(task: Task, seed: string, context: DrawContext): Instance {
  const values: Record<string, Value> = {};
  for (const [name, variable] of drawnVariables(task)) {
    const pick = picker(seed, name);
    values[name] = drawOne(variable, pick, context);
  }
  return { seed, values };
}

/** Picks an index below n: the first or last for the extreme seeds, else from the sequence. */
type Pick = (n: number) => number;

function picker(seed: string, name: string): Pick {
  if (seed === "min") return () => 0;
  if (seed === "max") return (n) => n - 1;
  const random = seededRandom(`${seed}/${name}`);
  return (n) => Math.floor(random() * n);
}

type ListedVariable = Extract<DrawnVariable, { oneOf: unknown } | { range: unknown }>;

/** Every value a oneOf or range variable can take, in order. */
export function choices(variable: ListedVariable): Value[] {
  if ("oneOf" in variable) return variable.oneOf as Value[];
  const { min, max, step = 1 } = variable.range;
  return Array.from({ length: Math.floor((max - min) / step) + 1 }, (_, i) => min + i * step);
}

function drawOne(variable: DrawnVariable, pick: Pick, context: DrawContext): Value {
  if ("oneOf" in variable || "range" in variable) {
    const all = choices(variable);
    return all[pick(all.length)] as Value;
  }
  if ("node" in variable) return context.workers[pick(context.workers.length)] ?? "";
  const atoms = parsePattern(variable.pattern);
  if (!Array.isArray(atoms)) return "";
  return atoms
    .map(({ chars, min, max }) => {
      const length = min + pick(max - min + 1);
      return Array.from({ length }, () => chars[pick(chars.length)]).join("");
    })
    .join("");
}

/** One piece of a drawn pattern: a set of characters, repeated min to max times. */
export interface Atom {
  chars: string;
  min: number;
  max: number;
}

const maxRepeat = 20;

/**
 * A drawn pattern is a small regular expression: literal characters (letters, digits, `-`,
 * `.`, `_`, or any escaped with `\`) and classes such as `[a-z0-9]`, each optionally
 * repeated `{n}` or `{m,n}` times (at most 20). Every drawn value matches it as a regex.
 * Returns why not, for anything else.
 */
export function parsePattern(pattern: string): Atom[] | { problem: string } {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < pattern.length) {
    let chars: string;
    const c = pattern[i] as string;
    if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return { problem: `the class at ${i + 1} has no closing ]` };
      const set = classChars(pattern.slice(i + 1, end));
      if (typeof set !== "string") return set;
      chars = set;
      i = end + 1;
    } else if (c === "\\" && i + 1 < pattern.length) {
      chars = pattern[i + 1] as string;
      i += 2;
    } else if (/[A-Za-z0-9._-]/.test(c)) {
      chars = c;
      i++;
    } else {
      return {
        problem: `"${c}" at ${i + 1} is not drawable: use literal characters and [classes] with {counts}`,
      };
    }
    const count = /^\{(\d+)(?:,(\d+))?\}/.exec(pattern.slice(i));
    const min = count ? Number(count[1]) : 1;
    const max = count ? Number(count[2] ?? count[1]) : 1;
    if (min > max || max > maxRepeat)
      return {
        problem: `the count {${count?.[1]},${count?.[2]}} must be {n} or {m,n} with m ≤ n ≤ ${maxRepeat}`,
      };
    i += count ? count[0].length : 0;
    atoms.push({ chars, min, max });
  }
  return atoms;
}

/** The characters of a class body such as `a-z0-9`, sorted, so that `min` takes the lowest. */
function classChars(body: string): string | { problem: string } {
  const chars = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    const from = body[i] as string;
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const to = body[i + 2] as string;
      if (to < from) return { problem: `the range ${from}-${to} runs backwards` };
      for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++)
        chars.add(String.fromCharCode(code));
      i += 2;
    } else if (from === "^" && i === 0) {
      return { problem: "a negated class [^…] cannot be drawn from: list the characters to draw" };
    } else {
      chars.add(from);
    }
  }
  if (chars.size === 0) return { problem: "an empty class [] cannot be drawn from" };
  return [...chars].sort().join("");
}

/** A seed given by the user, or why it cannot be one. */
export function seedProblem(seed: string): string | undefined {
  return seedPattern.test(seed)
    ? undefined
    : `a seed is 1 to 40 letters, digits, - or _ (such as min, max or 3fa2c1), not ${JSON.stringify(seed)}`;
}
