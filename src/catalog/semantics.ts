import { existsSync } from "node:fs";
import { basename, isAbsolute, join, normalize, sep } from "node:path";
import type { TaskProblem } from "../errors.js";
import type { ObjectRef } from "../model/kube.js";
import { type ExpressionChecker, fill } from "../model/template.js";
import { answerPathProblem } from "./answer-file.js";
import { competencyIds } from "./curriculum.js";
import { type DrawnVariable, isDrawn, parsePattern } from "./instance.js";
import { celVariables, knownVariables, placeholdersIn, unknownMessage } from "./placeholders.js";
import { atValueOffset } from "./scalar-position.js";
import type { Task } from "./schema.js";
import { at, type Located, type Path, readManifestFile } from "./yaml-source.js";

/**
 * Kinds that live outside any namespace, so setup may apply them (labelled as kubedrill's)
 * whatever their metadata says. Only the ones a CKA task plausibly creates: a kind missing
 * here is treated as namespaced, the safe side.
 */
export const clusterScopedKinds = new Set([
  "Node",
  "Namespace",
  "PersistentVolume",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "IngressClass",
]);

interface Context {
  task: Task;
  dir: string;
  where: Located;
  problems: TaskProblem[];
  checker: ExpressionChecker;
  /** Variables some {{placeholder}} or CEL vars.NAME uses, for the unused ones to be reported. */
  used: Set<string>;
}

/** What the schema cannot say: names, CEL that does not compile, manifests that do not parse or escape the namespace. */
export async function semanticProblems(
  task: Task,
  dir: string,
  where: Located,
  checker: ExpressionChecker,
): Promise<TaskProblem[]> {
  const ctx: Context = { task, dir, where, problems: [], checker, used: new Set() };
  if (basename(dir) !== task.id) {
    report(ctx, ["id"], `id "${task.id}" differs from its folder name "${basename(dir)}"`);
  }
  const known = competencyIds(task.domain);
  if (task.competency !== undefined && !known.includes(task.competency)) {
    report(ctx, ["competency"], `unknown competency of ${task.domain}; use one of: ${known.join(", ")}`);
  }
  task.checks.forEach((check, i) => {
    const path = ["checks", i];
    if ("access" in check || "apiServer" in check) return;
    if ("nodeService" in check) {
      if (check.active === undefined && check.enabled === undefined)
        report(ctx, path, "a nodeService check says what it wants: active, enabled, or both");
      if (!ctx.task.requires?.includes("node-services"))
        report(ctx, path, "a task that checks a node service needs `requires: [node-services]`");
      return;
    }
    cel(ctx, check.expect, [...path, "expect"], ctx.checker.checkVariables);
    if ("pattern" in check) regex(ctx, check.pattern, [...path, "pattern"]);
    if ("notPattern" in check) regex(ctx, check.notPattern, [...path, "notPattern"]);
    if ("resource" in check && check.resource.name && check.resource.ownedBy) {
      report(
        ctx,
        [...path, "resource"],
        "name and ownedBy exclude each other: name one object, or select by owner",
      );
    }
    if ("file" in check) {
      const outside = answerPathProblem(check.file);
      if (outside) report(ctx, [...path, "file"], outside);
    }
    if ("nodeFile" in check && check.format === "etcd-snapshot" && (check.match || check.expect)) {
      report(
        ctx,
        path,
        "a nodeFile check with format: etcd-snapshot reads keys with equals or pattern, not match or expect",
      );
    }
    if (
      "file" in check &&
      check.format === "time" &&
      (check.equals === undefined || check.match || check.expect)
    ) {
      report(
        ctx,
        path,
        "an answer file with format: time is compared with equals (the wanted instant), not match or expect",
      );
    }
  });
  for (const [key, variable] of Object.entries(task.vars ?? {})) {
    if ("pattern" in variable) regex(ctx, variable.pattern, ["vars", key, "pattern"]);
    if (isDrawn(variable)) drawnProblems(ctx, key, variable);
  }
  for (const [i, step] of task.setup.entries()) {
    if ("wait" in step) cel(ctx, step.wait.expect, ["setup", i, "wait", "expect"], ["object", "vars"]);
    if ("delete" in step) deleteProblems(ctx, step.delete, ["setup", i, "delete"]);
    if ("apply" in step) await applyProblems(ctx, step.apply, ["setup", i, "apply"]);
    if ("copyToAnswers" in step) copyProblems(ctx, step.copyToAnswers, ["setup", i, "copyToAnswers"]);
    if ("systemctl" in step && !task.requires?.includes("node-services"))
      report(
        ctx,
        ["setup", i, "systemctl"],
        "a task whose setup runs systemctl needs `requires: [node-services]`",
      );
    if ("helmInstall" in step) helmProblems(ctx, step.helmInstall.chart, ["setup", i, "helmInstall"]);
  }
  placeholderProblems(ctx);
  return ctx.problems;
}

/**
 * Every {{name}} in task.yaml must be a variable (a typo would reach the learner as
 * text), and every declared variable must be used somewhere: in a {{placeholder}} of
 * task.yaml or of a manifest it applies, or as vars.NAME in CEL.
 */
function placeholderProblems(ctx: Context): void {
  const { task } = ctx;
  const known = knownVariables(task);
  for (const use of placeholdersIn(task)) {
    ctx.used.add(use.name);
    if (!known.has(use.name))
      ctx.problems.push(atValueOffset(ctx.where, use.path, use.offset, unknownMessage(use.name, task)));
  }
  for (const check of task.checks)
    if ("expect" in check) for (const n of celVariables(check.expect)) ctx.used.add(n);
  for (const step of task.setup)
    if ("wait" in step) for (const n of celVariables(step.wait.expect)) ctx.used.add(n);
  for (const key of Object.keys(task.vars ?? {})) {
    if (ctx.used.has(key)) continue;
    const message = `variable ${key} is declared but never used: use it as {{${key}}} (vars.${key} in CEL), or remove it`;
    ctx.problems.push(at(ctx.where, ["vars", key], message, "key"));
  }
}

/** A drawn variable must be able to give a value, and more than one. */
function drawnProblems(ctx: Context, key: string, variable: DrawnVariable): void {
  if ("range" in variable && variable.range.min >= variable.range.max) {
    report(ctx, ["vars", key, "range"], `min ${variable.range.min} must be below max ${variable.range.max}`);
  }
  if ("oneOf" in variable) {
    const twice = variable.oneOf.find((v, i) => variable.oneOf.indexOf(v) !== i);
    if (twice !== undefined) report(ctx, ["vars", key, "oneOf"], `${JSON.stringify(twice)} is listed twice`);
  }
  if ("pattern" in variable) {
    const atoms = parsePattern(variable.pattern);
    if (!Array.isArray(atoms)) report(ctx, ["vars", key, "pattern"], atoms.problem);
  }
}

function report(ctx: Context, path: Path, message: string): void {
  ctx.problems.push(at(ctx.where, path, message));
}

/** Each problem of an expression at its own line and column inside task.yaml. */
function cel(ctx: Context, expr: string | undefined, path: Path, variables: readonly string[]): void {
  if (expr === undefined) return;
  for (const { offset, message } of ctx.checker.celProblems(expr, variables)) {
    ctx.problems.push(atValueOffset(ctx.where, path, offset, message));
  }
}

/** Patterns are RE2 (linear-time matching), so a backreference or lookaround is rejected here. */
function regex(ctx: Context, pattern: string | undefined, path: Path): void {
  const problem = pattern === undefined ? undefined : ctx.checker.regexProblem(pattern);
  if (problem) report(ctx, path, problem);
}

/** Setup writes only inside the task's namespace; a delete elsewhere would touch the learner's objects. */
function deleteProblems(ctx: Context, ref: ObjectRef, path: Path): void {
  const message = namespaceMessage(ctx.task, ref.kind, ref.namespace);
  if (message) report(ctx, [...path, "namespace"], message);
}

async function applyProblems(
  ctx: Context,
  source: { file?: string; manifest?: unknown },
  path: Path,
): Promise<void> {
  if (!source.file === !source.manifest) {
    report(ctx, path, "apply needs exactly one of file or manifest");
  } else if (source.manifest) {
    inlineProblems(ctx, source.manifest, [...path, "manifest"]);
  } else {
    await fileProblems(ctx, source.file as string, [...path, "file"]);
  }
}

function inlineProblems(ctx: Context, manifest: unknown, path: Path): void {
  if (Array.isArray(manifest) && manifest.length === 0) {
    report(ctx, path, "manifest lists no objects");
    return;
  }
  const objects = Array.isArray(manifest)
    ? manifest.map((o, i) => ({ o, p: [...path, i] }))
    : [{ o: manifest, p: path }];
  for (const { o, p } of objects) {
    for (const { field, message } of objectProblems(ctx.task, o)) report(ctx, [...p, ...field], message);
  }
}

/** What setup copies comes from the task's folder and goes into its answers folder, nowhere else. */
function copyProblems(ctx: Context, copy: { from: string; to?: string }, path: Path): void {
  if (outsideTaskFolder(copy.from)) {
    report(ctx, [...path, "from"], `${copy.from} must be beside task.yaml (a path inside the task's folder)`);
  } else if (!existsSync(join(ctx.dir, copy.from))) {
    report(ctx, [...path, "from"], `${copy.from} does not exist beside task.yaml`);
  }
  const outside = copy.to === undefined ? undefined : answerPathProblem(copy.to);
  if (outside) report(ctx, [...path, "to"], outside);
}

/** A chart setup installs is the task's own, and installing it needs helm where the task runs. */
function helmProblems(ctx: Context, chart: string, path: Path): void {
  if (outsideTaskFolder(chart)) {
    report(ctx, [...path, "chart"], `${chart} must be beside task.yaml (a path inside the task's folder)`);
  } else if (!existsSync(join(ctx.dir, chart, "Chart.yaml"))) {
    report(
      ctx,
      [...path, "chart"],
      `${chart} is not a chart folder beside task.yaml (no ${chart}/Chart.yaml)`,
    );
  }
  if (!ctx.task.requires?.includes("helm")) {
    report(ctx, path, "a task whose setup installs a chart needs helm: add `requires: [helm]`");
  }
}

const outsideTaskFolder = (name: string) => isAbsolute(name) || normalize(name).split(sep).includes("..");

async function fileProblems(ctx: Context, name: string, path: Path): Promise<void> {
  if (outsideTaskFolder(name)) {
    report(ctx, path, `file ${name} must be beside task.yaml (a path inside the task's folder)`);
    return;
  }
  const file = join(ctx.dir, name);
  if (!existsSync(file)) {
    report(ctx, path, `file ${name} does not exist beside task.yaml`);
    return;
  }
  const docs = await readManifestFile(file);
  if (!Array.isArray(docs)) {
    ctx.problems.push(docs);
  } else if (docs.length === 0) {
    report(ctx, path, `file ${name} holds no manifest`);
  }
  const known = knownVariables(ctx.task);
  for (const doc of Array.isArray(docs) ? docs : []) {
    for (const { field, message } of objectProblems(ctx.task, doc.object)) {
      ctx.problems.push(doc.problemAt(field, message));
    }
    for (const use of placeholdersIn(doc.object)) {
      ctx.used.add(use.name);
      if (!known.has(use.name))
        ctx.problems.push(doc.problemAt(use.path, unknownMessage(use.name, ctx.task)));
    }
  }
}

/** What setup cannot apply: an object without its identity, or one outside the task's namespace. */
function objectProblems(task: Task, object: unknown): { field: Path; message: string }[] {
  const o = object as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  const missing = ["apiVersion", "kind"].filter((k) => typeof o?.[k as "kind"] !== "string");
  if (typeof o?.metadata?.name !== "string") missing.push("metadata.name");
  if (missing.length > 0) return [{ field: [], message: `manifest lacks ${missing.join(", ")}` }];
  const message = namespaceMessage(task, o.kind as string, o.metadata?.namespace);
  return message ? [{ field: ["metadata", "namespace"], message }] : [];
}

function namespaceMessage(task: Task, kind: string, namespace: unknown): string | undefined {
  if (namespace === undefined || clusterScopedKinds.has(kind)) return undefined;
  if (typeof namespace === "string" && fill(namespace, { namespace: task.namespace }) === task.namespace) {
    return undefined;
  }
  return `${kind} in namespace ${JSON.stringify(namespace)} is outside the task's namespace "${task.namespace}"; setup writes only there (leave the namespace out to use it)`;
}
