import { join } from "node:path";
import { readAnswerFile } from "../catalog/answer-file.js";
import { parseManifests } from "../catalog/load.js";
import type { Check, Task } from "../catalog/schema.js";
import { ClusterError, formatProblem, KindNotServedError } from "../errors.js";
import { checkAccess, formatAccessMismatch } from "./access.js";
import { matchStart, patternFound } from "./cel/regex.js";
import { evaluate, fetchReads, prepare, type Reads } from "./cel.js";
import { formatMismatch, formatValue, match } from "./match.js";
import { type ClusterReader, type NodeAccess, Snapshot } from "./ports.js";
import {
  describeSelection,
  emptyReason,
  failingMembers,
  isSetExpression,
  judgeSet,
  readSelection,
} from "./select.js";
import type { CheckResult, Mismatch } from "./types.js";
import { fill, unknownVariable, type Vars } from "./vars.js";

export interface CheckEnv {
  cluster: ClusterReader;
  nodes?: NodeAccess;
  vars: Vars;
  /** Object uids recorded when the task was started, keyed "Kind/name". */
  uids: Record<string, string>;
  /** Told once when grading starts to wait for checks with `within`. */
  onWait?: (titles: string[], seconds: number) => void;
}

/** Reasons a check failed; none when it passed. */
interface Outcome {
  reasons: string[];
}

const pollMs = 250;

/**
 * Runs every check of a task. All checks of one pass read through one snapshot.
 * While a check with `within` still fails and has time left, the failing checks
 * are read again on fresh snapshots, so that status which takes time (a pod that
 * becomes Running, a mirror pod that appears) is graded once it has settled.
 */
export async function runChecks(task: Task, env: CheckEnv): Promise<CheckResult[]> {
  const checks = task.checks.map((c) => fill(c, env.vars));
  const started = Date.now();
  const deadlines = checks.map((c) => started + (c.within ? parseDuration(c.within) : 0));
  const outcomes: Outcome[] = new Array(checks.length);
  const finished: number[] = new Array(checks.length);
  let failing = checks.map((_, i) => i);
  let told = false;
  for (;;) {
    const snapshot = new Snapshot(env.cluster);
    const results = await Promise.all(
      failing.map((i) => runCheck(checks[i] as Check, task, { ...env, cluster: snapshot })),
    );
    const now = Date.now();
    results.forEach((outcome, k) => {
      outcomes[failing[k] as number] = outcome;
      finished[failing[k] as number] = now;
    });
    failing = failing.filter((i) => (outcomes[i] as Outcome).reasons.length > 0);
    const waiting = failing.filter((i) => now < (deadlines[i] as number));
    if (waiting.length === 0) break;
    if (!told) {
      const seconds = Math.ceil((Math.max(...waiting.map((i) => deadlines[i] as number)) - now) / 1000);
      env.onWait?.(
        waiting.map((i) => (checks[i] as Check).title),
        seconds,
      );
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return checks.map((check, i) => {
    const { reasons } = outcomes[i] as Outcome;
    const passed = reasons.length === 0;
    return {
      title: check.title,
      points: check.points,
      earned: passed ? check.points : 0,
      passed,
      reasons,
      durationMs: (finished[i] as number) - started,
    };
  });
}

export function parseDuration(text: string): number {
  const [, amount = "0", unit] = /^(\d+)(ms|s|m)$/.exec(text) ?? [];
  return Number(amount) * (unit === "m" ? 60_000 : unit === "s" ? 1000 : 1);
}

async function runCheck(check: Check, task: Task, env: CheckEnv): Promise<Outcome> {
  try {
    if ("access" in check) {
      const mismatches = await checkAccess(check.access, env.cluster, task.namespace);
      return { reasons: mismatches.map(formatAccessMismatch) };
    }
    if ("resource" in check) return await resourceCheck(check, task, env);
    const { equals, pattern, notPattern } = check;
    const source = "file" in check ? check.file : check.nodeFile;
    const unknown = unknownVariable({ source, equals, pattern, notPattern }, env.vars);
    if (unknown) return { reasons: [unknown] };
    if ("file" in check) return { reasons: await answerFileCheck(check, env) };
    return { reasons: await nodeFileCheck(check, env) };
  } catch (err) {
    // A cluster that refused, timed out or answered garbage, or a kind it does not serve, is no
    // verdict on the learner's work: it stops grading with its own exit code instead of scoring 0.
    if (err instanceof ClusterError || err instanceof KindNotServedError) throw err;
    return { reasons: [`could not check: ${(err as Error).message}`] };
  }
}

type ObjectCheck = Exclude<Check, { access: unknown }>;

function objectMismatches(
  check: ObjectCheck,
  object: unknown,
  objects: unknown[],
  env: CheckEnv,
  options: { withExpect?: boolean; reads?: Reads } = {},
): Mismatch[] {
  const found = check.match ? match(check.match, object) : [];
  if (check.expect && options.withExpect !== false) {
    const result = evaluate(check.expect, { object, objects, vars: env.vars, uids: env.uids }, options.reads);
    if (result !== true) found.push(result);
  }
  return found;
}

async function resourceCheck(
  check: Extract<Check, { resource: unknown }>,
  task: Task,
  env: CheckEnv,
): Promise<Outcome> {
  const ref = check.resource;
  // A name still holding a placeholder cannot be read; say which variable is missing instead.
  const unknown = unknownVariable({ name: ref.name, selector: ref.selector, owner: ref.ownedBy }, env.vars);
  if (unknown) return { reasons: [`${describeSelection(ref)}: ${unknown}`] };
  const selection = await readSelection(env.cluster, ref, task.namespace);
  const { objects, what, where } = selection;
  if (check.absent) return { reasons: objects.length === 0 ? [] : [`${what}${where} exists, want it gone`] };
  if (objects.length === 0) return { reasons: [emptyReason(ref, selection)] };

  // cluster.get/list in expect read from this pass's snapshot, before the synchronous evaluation.
  const reads = await fetchReads(
    prepare(check.expect, env.vars),
    env.cluster,
    ref.namespace ?? task.namespace,
  );
  // An expect about the set is evaluated once and reported once, not once per object.
  const setWide = check.expect !== undefined && isSetExpression(check.expect);
  const perObject = objects.map((o) =>
    objectMismatches(check, o, objects, env, { withExpect: !setWide, reads }).map(formatMismatch),
  );
  const names = objects.map((o) => o.metadata?.name ?? "?");
  const reasons = judgeSet(names, perObject, ref.match ?? "all", `${what}${where}`);
  if (setWide && check.expect) {
    const bindings = { objects, vars: env.vars, uids: env.uids };
    const result = evaluate(check.expect, bindings, reads);
    if (result === true) return { reasons };
    // Said once for the set, naming the objects that break an `objects.all(…)`.
    const failing = failingMembers(
      check.expect,
      objects,
      (body, one) => evaluate(body, { ...bindings, ...one }, reads) === true,
    );
    const which = failing.length > 0 ? ` (not true for ${failing.join(", ")})` : "";
    reasons.push(`${formatMismatch(result)}${which}`);
  }
  return { reasons };
}

function contentMismatches(
  check: { equals?: string; pattern?: string; notPattern?: string },
  content: string,
): string[] {
  const reasons: string[] = [];
  if (check.equals !== undefined && content.trim() !== check.equals.trim()) {
    reasons.push(formatMismatch({ path: "content", found: content.trim(), want: check.equals.trim() }));
  }
  if (check.pattern !== undefined && !patternFound(check.pattern, content)) {
    reasons.push(`content does not match /${check.pattern}/: ${formatValue(content.trim())}`);
  }
  const forbidden = check.notPattern === undefined ? undefined : matchStart(check.notPattern, content);
  if (forbidden !== undefined) {
    const at = JSON.stringify(content.slice(0, forbidden)).length - 1;
    reasons.push(`content matches /${check.notPattern}/, want it not to: ${formatValue(content, at)}`);
  }
  return reasons;
}

async function answerFileCheck(check: Extract<Check, { file: string }>, env: CheckEnv) {
  const file = join(env.vars.answers ?? "", check.file);
  const read = await readAnswerFile(env.vars.answers ?? "", check.file);
  if (!("content" in read)) return ["missing" in read ? read.missing : read.problem];
  const { content } = read;
  const reasons = contentMismatches(check, content);
  if (!check.match && !check.expect) return reasons;
  const docs = parseManifests(content, file);
  if (!Array.isArray(docs))
    return [...reasons, `answer file is not a valid manifest: ${formatProblem(docs)}`];
  const objects = docs.map((d) => d.object);
  if (objects.length === 0) return [...reasons, `answer file ${file} holds no manifest`];
  const perObject = objects.map((o) => objectMismatches(check, o, objects, env).map(formatMismatch));
  return perObject.some((r) => r.length === 0) ? reasons : [...reasons, ...(perObject[0] as string[])];
}

async function nodeFileCheck(check: Extract<Check, { nodeFile: unknown }>, env: CheckEnv) {
  const { node, path } = check.nodeFile;
  if (!env.nodes) return [`cannot read ${node}:${path}: no node access for this cluster`];
  const content = await env.nodes.read(node, path);
  if (content === undefined) return [`${path} not found on node ${node}`];
  return contentMismatches(check, content);
}
