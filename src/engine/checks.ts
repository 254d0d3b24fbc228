import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { readAnswerFile } from "../catalog/answer-file.js";
import { parseManifests } from "../catalog/load.js";
import type { Check, Task } from "../catalog/schema.js";
import { apiDown, ClusterError, formatProblem, KindNotServedError } from "../errors.js";
import type { KubeObject } from "../model/kube.js";
import { poll, TimeLimitError, withinLimit } from "../model/poll.js";
import type { CheckResult, Mismatch } from "../model/results.js";
import { checkAccess } from "./access.js";
import { matchStart, patternFound } from "./cel/regex.js";
import { evaluate, fetchReads, prepare, type Reads } from "./cel.js";
import { readEtcdSnapshot } from "./etcd-snapshot.js";
import { parseInstant, sameInstant } from "./instant.js";
import { match } from "./match.js";
import { readService, serviceMismatches } from "./node-service.js";
import { type ClusterReader, type NodeAccess, Snapshot } from "./ports.js";
import { resolveRef } from "./resolve.js";
import { describeSelection, emptyReason, failingMembers, isSetExpression, judgeSet } from "./select.js";
import { newestChange, unobservedSpec } from "./settling.js";
import { fill, fillManifest, unknownVariable, type Vars } from "./vars.js";

export interface CheckEnv {
  cluster: ClusterReader;
  nodes?: NodeAccess;
  vars: Vars;
  /** Object uids recorded when the task was started, keyed "Kind/name". */
  uids: Record<string, string>;
  /** Told once when grading starts to wait for checks with `within`. */
  onWait?: (titles: string[], seconds: number) => void;
  /** How long one reading of one check may take before it fails as too long (default checkLimitMs). */
  limitMs?: number;
}

/** A bound on every reading of a check, so that a hung node or API read fails the check instead of the run. */
export const checkLimitMs = 10_000;
const pollMs = 250;
/**
 * A missing object leaves no time behind, so it is looked for again this long: enough
 * for a kubelet to post a mirror pod, short enough that an unsolved task grades at once.
 */
export const absenceGraceMs = 1000;

/** What one reading of a check found. */
export interface Outcome {
  mismatches: Mismatch[];
  /** Why it could not be evaluated. */
  error?: string;
  /** When what was graded (the objects, or the others of their kind when they are missing) last changed. */
  changedAt?: number;
  /** The object the check wants was not found: when it went missing is unknown. */
  missing?: boolean;
  /** A controller has not acted yet on the latest spec of what was graded (or of its owner). */
  unobserved?: boolean;
}

const failed = (o: Outcome) => o.mismatches.length > 0 || o.error !== undefined;

/** A check's `match` keeps the types of drawn values, as a manifest does; its other fields are text. */
function fillCheck(check: Check, vars: Vars): Check {
  const filled = fill(check, vars);
  return "match" in check && check.match ? { ...filled, match: fillManifest(check.match, vars) } : filled;
}

/**
 * Runs every check of a task; the first reading of all checks shares one snapshot.
 * A check with `within` that fails is read again only while what it grades is settling:
 * it changed less than `within` ago (created, edited, a status transition, a container
 * start). Something wrong for longer is reported at once. Checks without `within` are
 * read once, and every check's duration is its own.
 */
export async function runChecks(task: Task, env: CheckEnv): Promise<CheckResult[]> {
  const checks = task.checks.map((c) => fillCheck(c, env.vars));
  const started = Date.now();
  const first = new Snapshot(env.cluster);
  const firsts = await Promise.all(checks.map((check) => reading(check, task, { ...env, cluster: first })));
  const firstDone = Date.now();
  const windows = checks.map((check, i) => settlingWindow(check, firsts[i] as Outcome, started, firstDone));
  const waiting = windows.flatMap((w, i) => (w > 0 ? [i] : []));
  if (waiting.length > 0) {
    env.onWait?.(
      waiting.map((i) => (checks[i] as Check).title),
      Math.ceil(Math.max(...waiting.map((i) => windows[i] as number)) / 1000),
    );
  }
  return Promise.all(
    checks.map(async (check, i) => {
      let outcome = firsts[i] as Outcome;
      let finished = firstDone;
      if ((windows[i] as number) > 0) {
        const settled = await poll(
          async () => {
            outcome = await reading(check, task, { ...env, cluster: new Snapshot(env.cluster) });
            finished = Date.now();
            return settlingWindow(check, outcome, started, finished) > 0 ? undefined : outcome;
          },
          { timeoutMs: windows[i] as number, intervalMs: pollMs },
        );
        outcome = settled ?? outcome;
      }
      return result(check, outcome, finished - started);
    }),
  );
}

/**
 * How much longer a check may wait: none when it has no `within`, passed on what its
 * controllers have caught up with, or fails on what has been as it is for longer than
 * `within`; never beyond `within` from the start.
 */
export function settlingWindow(check: Check, outcome: Outcome, started: number, now: number): number {
  if (!check.within) return 0;
  const within = parseDuration(check.within);
  // A pass read from a status its controller has not brought up to date may not last: read again.
  if (!failed(outcome)) return outcome.unobserved ? Math.max(0, started + within - now) : 0;
  const settlingUntil = Math.max(
    outcome.changedAt === undefined ? 0 : outcome.changedAt + within,
    outcome.missing ? started + Math.min(within, absenceGraceMs) : 0,
  );
  return Math.max(0, Math.min(started + within, settlingUntil) - now);
}

function result(check: Check, outcome: Outcome, durationMs: number): CheckResult {
  const passed = !failed(outcome);
  return {
    title: check.title,
    points: check.points,
    earned: passed ? check.points : 0,
    passed,
    mismatches: outcome.mismatches,
    ...(outcome.error !== undefined && { error: outcome.error }),
    durationMs,
  };
}

export function parseDuration(text: string): number {
  const [, amount = "0", unit] = /^(\d+)(ms|s|m)$/.exec(text) ?? [];
  return Number(amount) * (unit === "m" ? 60_000 : unit === "s" ? 1000 : 1);
}

/**
 * One reading of one check, bounded in time; an error becomes the check's error. A cluster
 * that refused, timed out or answered garbage, or a kind it does not serve, is no verdict on
 * the learner's work: it stops grading with its own exit code instead of scoring 0.
 */
async function reading(check: Check, task: Task, env: CheckEnv): Promise<Outcome> {
  try {
    return await withinLimit(evaluateCheck(check, task, env), env.limitMs ?? checkLimitMs);
  } catch (err) {
    if (err instanceof KindNotServedError) {
      const crd = installedBySolution(task, err.apiVersion);
      if (crd) return { mismatches: [says(`${err.kind} is not served: ${crd} is not installed yet`)] };
    }
    // A task that grades the API server itself fails its other checks while it is down.
    if (apiDown(err) && gradesApiServer(task)) return { mismatches: [says(err.message)] };
    if (err instanceof ClusterError || err instanceof KindNotServedError) throw err;
    if (err instanceof TimeLimitError) return { mismatches: [{ path: "", message: err.message }] };
    return { mismatches: [], error: (err as Error).message };
  }
}

export const gradesApiServer = (task: Task) => task.checks.some((c) => "apiServer" in c);

/**
 * The CustomResourceDefinition (named `<plural>.<group>`) that the task's cleanup says the
 * solution creates for this apiVersion's group: until the learner installs it, its kind not
 * being served is an unmet check, not a broken task.
 */
function installedBySolution(task: Task, apiVersion: string): string | undefined {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  if (!group) return undefined;
  const crd = task.cleanup?.objects?.find(
    (o) => o.kind === "CustomResourceDefinition" && o.name.slice(o.name.indexOf(".") + 1) === group,
  );
  return crd && `CustomResourceDefinition ${crd.name}`;
}

async function evaluateCheck(check: Check, task: Task, env: CheckEnv): Promise<Outcome> {
  if ("apiServer" in check) return apiServerCheck(env.cluster);
  if ("access" in check) return { mismatches: await checkAccess(check.access, env.cluster, task.namespace) };
  if ("resource" in check) return resourceCheck(check, task, env);
  if ("nodeService" in check) return nodeServiceCheck(check, env);
  const { equals, pattern, notPattern } = check;
  const source = "file" in check ? check.file : check.nodeFile;
  const unknown = unknownVariable({ source, equals, pattern, notPattern }, env.vars);
  if (unknown) return { mismatches: [says(unknown)] };
  if ("file" in check) return answerFileCheck(check, env);
  return nodeFileCheck(check, env);
}

const says = (message: string): Mismatch => ({ path: "", message });

type ObjectCheck = Exclude<Check, { access: unknown } | { apiServer: unknown } | { nodeService: unknown }>;

/** The API server's /readyz; not ready yet is still settling, so `within` asks again. */
async function apiServerCheck(cluster: ClusterReader): Promise<Outcome> {
  if (!cluster.notReady)
    return { mismatches: [], error: "this cluster reader cannot ask the API server /readyz" };
  const why = await cluster.notReady();
  if (why === undefined) return { mismatches: [] };
  return { mismatches: [{ path: "/readyz", want: "ok", message: why }], changedAt: Date.now() };
}

function objectMismatches(
  check: ObjectCheck,
  object: unknown,
  objects: unknown[],
  env: CheckEnv,
  options: { withExpect?: boolean; reads?: Reads } = {},
): Mismatch[] {
  const found = check.match ? match(check.match, object, "", check.lists) : [];
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
  const unknown = unknownVariable(
    { name: ref.name, selector: ref.selector, owner: ref.ownedBy, expect: check.expect },
    env.vars,
  );
  if (unknown) return { mismatches: [says(`${describeSelection(ref)}: ${unknown}`)] };
  const resolved = await resolveRef(env.cluster, ref, task.namespace);
  const { apiVersion, namespace, objects, what, where } = resolved;
  // A missing object's stand-in for its own times: the others of its kind where it is looked for.
  const graded =
    objects.length || !check.within ? objects : await env.cluster.list(apiVersion, ref.kind, namespace);
  const changedAt = check.within ? newestChange(graded) : undefined;
  const unobserved = check.within ? [...graded, ...(resolved.owners ?? [])].some(unobservedSpec) : undefined;
  if (check.absent) {
    return {
      mismatches: objects.length === 0 ? [] : [says(`${what}${where} exists, want it gone`)],
      changedAt,
    };
  }
  if (objects.length === 0)
    return { mismatches: [says(emptyReason(ref, resolved))], changedAt, missing: true };

  // cluster.get/list in expect read from this reading's snapshot, before the synchronous evaluation.
  const reads = await fetchReads(
    prepare(check.expect, env.vars),
    env.cluster,
    ref.namespace ?? task.namespace,
  );
  // An expect about the set is evaluated once and reported once, not once per object.
  const setWide = check.expect !== undefined && isSetExpression(check.expect);
  const perObject = objects.map((o) =>
    objectMismatches(check, o, objects, env, { withExpect: !setWide, reads }),
  );
  const names = objects.map((o) => o.metadata?.name ?? "?");
  const mismatches = judgeSet(names, perObject, ref.match ?? "all", `${what}${where}`);
  if (setWide && check.expect) {
    const bindings = { objects, vars: env.vars, uids: env.uids };
    const result = evaluate(check.expect, bindings, reads);
    if (result !== true) {
      // Said once for the set, naming the objects that break an `objects.all(…)`.
      const failing = failingMembers(
        check.expect,
        objects,
        (body, one) => evaluate(body, { ...bindings, ...one }, reads) === true,
      );
      const which = failing.length > 0 ? ` (not true for ${failing.join(", ")})` : "";
      mismatches.push(which ? { ...result, message: `${result.message ?? "false"}${which}` } : result);
    }
  }
  return { mismatches, changedAt, ...(unobserved && { unobserved }) };
}

function contentMismatches(
  check: { equals?: string; pattern?: string; notPattern?: string },
  content: string,
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (check.equals !== undefined && content.trim() !== check.equals.trim()) {
    mismatches.push({ path: "content", found: content.trim(), want: check.equals.trim() });
  }
  if (check.pattern !== undefined && !patternFound(check.pattern, content)) {
    mismatches.push({ path: "content", found: content.trim(), message: `does not match /${check.pattern}/` });
  }
  const forbidden = check.notPattern === undefined ? undefined : matchStart(check.notPattern, content);
  if (forbidden !== undefined) {
    // The line where the forbidden text starts: the part worth showing of a long file.
    const from = content.lastIndexOf("\n", forbidden - 1) + 1;
    const to = content.indexOf("\n", forbidden);
    const line = content.slice(from, to === -1 ? undefined : to);
    mismatches.push({
      path: "content",
      found: line,
      message: `matches /${check.notPattern}/, want it not to`,
    });
  }
  return mismatches;
}

async function answerFileCheck(check: Extract<Check, { file: string }>, env: CheckEnv): Promise<Outcome> {
  const file = join(env.vars.answers ?? "", check.file);
  const read = await readAnswerFile(env.vars.answers ?? "", check.file);
  if (!("content" in read)) return { mismatches: [says("missing" in read ? read.missing : read.problem)] };
  const { content } = read;
  if (check.format === "time") return { mismatches: instantMismatches(content, check.equals ?? "") };
  return { mismatches: fileMismatches(check, content, { file, what: "answer file" }, env) };
}

/**
 * An answer or node file's content against equals and the patterns, then, with match or
 * expect, parsed as a manifest: any of its documents may satisfy the check. A TOML file is
 * always parsed, so one its program would refuse fails even without match or expect.
 */
function fileMismatches(
  check: Extract<Check, { file: string } | { nodeFile: unknown }>,
  content: string,
  source: { file: string; what: string },
  env: CheckEnv,
): Mismatch[] {
  const mismatches = contentMismatches(check, content);
  const toml = check.format === "toml";
  if (!toml && !check.match && !check.expect) return mismatches;
  const parsed = toml ? tomlDocument(content, source.file) : manifestObjects(content, source);
  if (!Array.isArray(parsed)) return [...mismatches, parsed];
  if (parsed.length === 0) return [...mismatches, says(`${source.what} ${source.file} holds no manifest`)];
  const perObject = parsed.map((o) => objectMismatches(check, o, parsed, env));
  if (perObject.some((m) => m.length === 0)) return mismatches;
  return [...mismatches, ...(perObject[0] as Mismatch[])];
}

function manifestObjects(content: string, source: { file: string; what: string }): KubeObject[] | Mismatch {
  const docs = parseManifests(content, source.file);
  if (!Array.isArray(docs)) return says(`${source.what} is not a valid manifest: ${formatProblem(docs)}`);
  return docs.map((d) => d.object as KubeObject);
}

function tomlDocument(content: string, file: string): Record<string, unknown>[] | Mismatch {
  try {
    // As plain JSON values, as an object read from the API would be: dates become RFC 3339 strings.
    return [JSON.parse(JSON.stringify(parseToml(content)))];
  } catch (err) {
    // smol-toml's message has the line, column and a code frame: the first line is the reason.
    return { path: file, message: `is not valid TOML: ${(err as Error).message.split("\n")[0]}` };
  }
}

async function nodeFileCheck(check: Extract<Check, { nodeFile: unknown }>, env: CheckEnv): Promise<Outcome> {
  const { node, path } = check.nodeFile;
  if (!env.nodes)
    return { mismatches: [says(`cannot read ${node}:${path}: no node access for this cluster`)] };
  if (check.format === "etcd-snapshot") return etcdSnapshotCheck(check, env.nodes);
  const content = await env.nodes.read(node, path);
  if (content === undefined) return { mismatches: [says(`${path} not found on node ${node}`)] };
  return { mismatches: fileMismatches(check, content, { file: `${node}:${path}`, what: "node file" }, env) };
}

/** The answer must name the wanted instant, in any of the forms parseInstant reads, at its own precision. */
function instantMismatches(content: string, equals: string): Mismatch[] {
  const wanted = parseInstant(equals);
  if (!wanted) return [says(`the wanted time "${equals}" is not a time (a task error)`)];
  const answer = parseInstant(content);
  const want = new Date(wanted.ms).toISOString().replace(/\.000Z$/, "Z");
  if (!answer) {
    return [
      {
        path: "content",
        found: content.trim(),
        want,
        message: "is not a time with its zone (e.g. 2027-12-05T23:30:24Z or Dec  5 23:30:24 2027 GMT)",
      },
    ];
  }
  if (sameInstant(answer, wanted)) return [];
  return [{ path: "content", found: content.trim(), want }];
}

/**
 * The file must be an etcd snapshot; equals and the patterns read the keys it holds, one a
 * line. A pattern no key matches says how many keys there were, not all of them.
 */
async function etcdSnapshotCheck(
  check: Extract<Check, { nodeFile: unknown }>,
  nodes: NodeAccess,
): Promise<Outcome> {
  const { node, path } = check.nodeFile;
  const bytes = await nodes.readBytes(node, path);
  if (bytes === undefined) return { mismatches: [says(`${path} not found on node ${node}`)] };
  const snapshot = readEtcdSnapshot(bytes);
  if ("problem" in snapshot) return { mismatches: [{ path, message: snapshot.problem }] };
  const keys = snapshot.keys.join("\n");
  const mismatches = contentMismatches({ equals: check.equals, notPattern: check.notPattern }, keys);
  if (check.pattern !== undefined && !patternFound(check.pattern, keys)) {
    mismatches.push({
      path: "keys",
      message: `no key matches /${check.pattern}/ (the snapshot holds ${snapshot.keys.length} keys at revision ${snapshot.revision})`,
    });
  }
  return { mismatches: mismatches.map((m) => (m.path === "content" ? { ...m, path: "keys" } : m)) };
}

async function nodeServiceCheck(
  check: Extract<Check, { nodeService: unknown }>,
  env: CheckEnv,
): Promise<Outcome> {
  const { node, unit } = check.nodeService;
  const unknown = unknownVariable({ node }, env.vars);
  if (unknown) return { mismatches: [says(unknown)] };
  if (!env.nodes)
    return { mismatches: [says(`cannot ask node ${node} about ${unit}: no node access for this cluster`)] };
  const state = await readService(env.nodes, check.nodeService);
  return { mismatches: serviceMismatches(check.nodeService, state, check) };
}
