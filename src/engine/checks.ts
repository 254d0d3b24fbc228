import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseManifests } from "../catalog/load.js";
import type { Check, Task } from "../catalog/schema.js";
import { formatProblem } from "../errors.js";
import type { CheckResult, Mismatch } from "../model/results.js";
import { evaluate } from "./cel.js";
import { formatMismatch, match } from "./match.js";
import { apiVersionOf, type ClusterReader, type KubeObject, type NodeAccess, Snapshot } from "./ports.js";
import { fill, type Vars } from "./vars.js";

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
    if ("resource" in check) return await resourceCheck(check, task, env);
    if ("file" in check) return { reasons: await answerFileCheck(check, env) };
    return { reasons: await nodeFileCheck(check, env) };
  } catch (err) {
    return { reasons: [`could not check: ${(err as Error).message}`] };
  }
}

function objectMismatches(check: Check, object: unknown, objects: unknown[], env: CheckEnv): Mismatch[] {
  const found = check.match ? match(check.match, object) : [];
  if (check.expect) {
    const result = evaluate(check.expect, { object, objects, vars: env.vars, uids: env.uids });
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
  const what = ref.name ? `${ref.kind} ${ref.name}` : `${ref.kind} with labels ${ref.selector}`;
  // A name still holding a placeholder cannot be read; say which variable is missing instead.
  const unknown = /\{\{\s*(\w+)\s*\}\}/.exec(`${ref.name ?? ""}${ref.selector ?? ""}`);
  if (unknown) {
    return {
      reasons: [`${what}: {{${unknown[1]}}} is not known yet (the object it is read from is missing)`],
    };
  }
  const apiVersion = apiVersionOf(ref.kind, ref.apiVersion);
  const { namespaced } = await env.cluster.resource(apiVersion, ref.kind);
  const namespace = namespaced ? (ref.namespace ?? task.namespace) : undefined;
  const where = namespace ? ` in namespace ${namespace}` : "";
  let objects: KubeObject[];
  if (ref.name) {
    const object = await env.cluster.get(apiVersion, ref.kind, ref.name, namespace);
    objects = object ? [object] : [];
  } else {
    objects = await env.cluster.list(apiVersion, ref.kind, namespace, ref.selector);
  }
  if (check.absent) return { reasons: objects.length === 0 ? [] : [`${what}${where} exists, want it gone`] };
  if (objects.length === 0) return { reasons: [`${what} not found${where}`] };

  const perObject = objects.map((o) => objectMismatches(check, o, objects, env).map(formatMismatch));
  if (objects.length === 1) return { reasons: perObject[0] as string[] };
  if (ref.match === "any") {
    const anyPassed = perObject.some((r) => r.length === 0);
    return { reasons: anyPassed ? [] : [`no ${what}${where} passes:`, ...perObject.flat()] };
  }
  return {
    reasons: perObject.flatMap((reasons, i) => reasons.map((r) => `${objects[i]?.metadata?.name}: ${r}`)),
  };
}

function contentMismatches(check: { equals?: string; pattern?: string }, content: string): string[] {
  const reasons: string[] = [];
  if (check.equals !== undefined && content.trim() !== check.equals.trim()) {
    reasons.push(formatMismatch({ path: "content", found: content.trim(), want: check.equals.trim() }));
  }
  if (check.pattern !== undefined && !new RegExp(check.pattern, "m").test(content)) {
    reasons.push(`content does not match /${check.pattern}/: ${JSON.stringify(content.trim().slice(0, 80))}`);
  }
  return reasons;
}

async function answerFileCheck(check: Extract<Check, { file: string }>, env: CheckEnv) {
  const file = join(env.vars.answers ?? "", check.file);
  if (!existsSync(file)) return [`answer file ${file} not found`];
  const content = await readFile(file, "utf8");
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
