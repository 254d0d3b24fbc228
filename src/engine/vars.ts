import { homedir } from "node:os";
import { join } from "node:path";
import * as z from "zod";
import {
  type DrawContext,
  drawInstance,
  drawnVariables,
  type Instance,
  isDrawn,
  type ReadVariable,
  type Value,
} from "../catalog/instance.js";
import type { Task } from "../catalog/schema.js";
import { apiDown } from "../errors.js";
import type { KubeObject } from "../model/kube.js";
import type { NodeName } from "../model/node-access.js";
import { fill, fillManifest, type Vars } from "../model/template.js";
import { parseQuantity } from "./cel/quantity.js";
import { firstCapture } from "./cel/regex.js";
import { certificateField } from "./certificate.js";
import type { ClusterReader, NodeAccess } from "./ports.js";
import { resolveRef } from "./resolve.js";

export { fill, fillManifest, type Vars };

/** Where learners save answer files: <answers>/<task-id>/<name>. */
export function answersRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEDRILL_ANSWERS || join(homedir(), "kubedrill", "answers");
}

const isControlPlane = (labels: Record<string, string> = {}) =>
  "node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels;

/** On the task namespace: the instance start drew ({ seed, values }), which check and reset use. */
export const instanceAnnotation = "kubedrill.dev/instance";

/**
 * The variables of one run: worker (the first worker node by name, as kind and
 * the local cluster name them), controlPlane, namespace, taskId, answers, the task's
 * drawn variables, then its variables read from the cluster (which may name drawn ones).
 * The instance is `attempt`'s when given (start draws one from its seed), else the
 * one start recorded on the task's namespace, else the `min` instance.
 */
export async function resolveVars(
  task: Task,
  cluster: ClusterReader,
  nodes: NodeAccess | undefined,
  env: NodeJS.ProcessEnv = process.env,
  attempt?: { seed: string },
): Promise<Vars> {
  const nodeList = await nodeNames(cluster, nodes);
  const names = (controlPlane: boolean) =>
    nodeList
      .filter((n) => n.controlPlane === controlPlane)
      .map((n) => n.name)
      .sort();
  const workers = names(false);
  const controlPlanes = names(true);
  const vars: Vars = {
    namespace: task.namespace,
    taskId: task.id,
    answers: join(answersRoot(env), task.id),
    worker: workers[0] ?? controlPlanes[0] ?? "",
    worker2: workers[1] ?? "",
    controlPlane: controlPlanes[0] ?? "",
  };
  // As {{worker}} does, a cluster without workers (one node) offers its control plane.
  const instance = await instanceFor(task, cluster, attempt, {
    workers: workers.length > 0 ? workers : controlPlanes.slice(0, 1),
  });
  if (instance) {
    Object.assign(vars, instance.values);
    instances.set(vars, instance);
  }
  const whyUnset: Record<string, string> = {};
  for (const [key, variable] of Object.entries(task.vars ?? {})) {
    if (isDrawn(variable)) continue;
    const read = await readVariable(fill(variable, vars), task.namespace, cluster, nodes);
    if (typeof read === "string") vars[key] = read;
    else whyUnset[key] = read.unset;
  }
  unsetReasons.set(vars, whyUnset);
  return vars;
}

// The instance whose values a task's vars hold, beside them like the unset reasons.
const instances = new WeakMap<Vars, Instance>();

/** The instance these vars were drawn for; undefined for a task without drawn variables. */
export const instanceOf = (vars: Vars): Instance | undefined => instances.get(vars);

async function instanceFor(
  task: Task,
  cluster: ClusterReader,
  attempt: { seed: string } | undefined,
  context: DrawContext,
): Promise<Instance | undefined> {
  if (drawnVariables(task).length === 0) return undefined;
  if (attempt) return drawInstance(task, attempt.seed, context);
  const recorded = await recordedInstance(cluster, task.namespace);
  if (!recorded) return drawInstance(task, "min", context);
  // Values recorded win: the learner solves what start showed, even if the task's lists changed since.
  const drawn = drawInstance(task, recorded.seed, context);
  return { seed: recorded.seed, values: { ...drawn.values, ...pick(recorded.values, drawn.values) } };
}

const pick = (from: Record<string, Value>, like: Record<string, Value>) =>
  Object.fromEntries(Object.entries(from).filter(([name]) => name in like));

const recordSchema = z.object({
  seed: z.string(),
  values: z.record(z.string(), z.union([z.string(), z.number()])),
});

/** What start recorded on the namespace; none when the task was never started here (or the API is down). */
async function recordedInstance(cluster: ClusterReader, namespace: string): Promise<Instance | undefined> {
  const ns = await cluster.get("v1", "Namespace", namespace).catch((err: unknown) => {
    if (apiDown(err)) return undefined;
    throw err;
  });
  const text = ns?.metadata?.annotations?.[instanceAnnotation];
  if (!text) return undefined;
  try {
    return recordSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * The nodes as the API server lists them or, while it gives no answer, as node access
 * finds them: a task that breaks the API server still names its nodes.
 */
async function nodeNames(cluster: ClusterReader, nodes: NodeAccess | undefined): Promise<NodeName[]> {
  try {
    const list = await cluster.list("v1", "Node");
    return list.map((n) => ({
      name: n.metadata?.name ?? "",
      controlPlane: isControlPlane(n.metadata?.labels),
    }));
  } catch (err) {
    if (!apiDown(err) || !nodes?.listNodes) throw err;
    return nodes.listNodes();
  }
}

// Why each task variable stayed unset, kept beside (not inside) the values, which CEL also sees.
const unsetReasons = new WeakMap<Vars, Record<string, string>>();

/**
 * The message for the first {{placeholder}} left in value after filling, e.g.
 * `{{rsImage}} is not known yet (no ReplicaSet owned by Deployment web in namespace x)`.
 */
export function unknownVariable(value: unknown, vars: Vars): string | undefined {
  const name = /\{\{\s*(\w+)\s*\}\}/.exec(JSON.stringify(fill(value, vars)) ?? "")?.[1];
  if (name === undefined) return undefined;
  const why = unsetReasons.get(vars)?.[name] ?? "the object it is read from is missing";
  return `{{${name}}} is not known yet (${why})`;
}

/** A variable that cannot be read yet (no such object or file, or several objects) stays unset, with the reason. */
async function readVariable(
  variable: ReadVariable,
  namespace: string,
  cluster: ClusterReader,
  nodes: NodeAccess | undefined,
): Promise<string | { unset: string }> {
  if ("nodeService" in variable) {
    const { node, unit } = variable.nodeService;
    const since = nodes ? await nodes.serviceActiveSince(node, unit) : undefined;
    if (since === undefined)
      return {
        unset: `${unit} on node ${node} is inactive, or has not been (re)started since the node booted`,
      };
    return since.toISOString();
  }
  if ("nodeFolder" in variable) {
    const { node, path } = variable.nodeFolder;
    const names = nodes ? await nodes.list(node, path) : undefined;
    if (names === undefined) return { unset: `folder ${path} not found on node ${node}` };
    return (
      firstCapture(variable.pattern, names.join("\n")) ?? { unset: `no file name matches in ${node}:${path}` }
    );
  }
  if ("modified" in variable) {
    const { node, path } = variable.nodeFile;
    const at = nodes ? await nodes.modifiedAt(node, path) : undefined;
    return at?.toISOString() ?? { unset: `${path} not found on node ${node}` };
  }
  if ("nodeFile" in variable) {
    const { node, path } = variable.nodeFile;
    const content = nodes ? await nodes.read(node, path) : undefined;
    if (content === undefined) return { unset: `${path} not found on node ${node}` };
    if ("certificate" in variable) {
      const value = certificateField(content, variable.certificate);
      return typeof value === "string" ? value : { unset: `${node}:${path} has ${value.problem}` };
    }
    return (
      firstCapture(variable.pattern, content) ?? variable.default ?? { unset: `no match in ${node}:${path}` }
    );
  }
  const resolved = await resolveRef(cluster, variable.resource, namespace).catch((err: unknown) => {
    if (apiDown(err)) return { unset: err.message };
    throw err;
  });
  if ("unset" in resolved) return resolved;
  const { objects, what, where, problem } = resolved;
  if (problem) return { unset: problem };
  if (variable.largest !== undefined)
    return largestField(objects, variable.field, variable.largest, what, where);
  if (variable.each) {
    const values = objects.map((o) => fieldOf(o, variable.field));
    if (values.some((v) => typeof v !== "string" && typeof v !== "number"))
      return { unset: `a ${what} has no ${variable.field}` };
    return values.map(String).sort().join("\n");
  }
  if (objects.length !== 1) {
    const names = objects.map((o) => o.metadata?.name).join(", ");
    return { unset: objects.length === 0 ? `no ${what}${where}` : `several ${what}${where}: ${names}` };
  }
  const value = fieldOf(objects[0], variable.field);
  if (typeof value === "string" || typeof value === "number") return String(value);
  return { unset: `${what} has no ${variable.field}` };
}

/**
 * The field of the object with the greatest amount, e.g. the pod that uses most memory
 * from its PodMetrics: a tie has no answer, so it leaves the variable unset.
 */
function largestField(
  objects: KubeObject[],
  field: string,
  largest: string,
  what: string,
  where: string,
): string | { unset: string } {
  const scored = objects.map((object) => ({ object, amount: amountOf(object, largest) }));
  const missing = scored.find((s) => s.amount === undefined);
  if (missing) return { unset: `${what} ${missing.object.metadata?.name} has no amount at ${largest}` };
  if (scored.length === 0) return { unset: `no ${what}${where}` };
  scored.sort((a, b) => (b.amount as number) - (a.amount as number));
  const [first, second] = scored as [(typeof scored)[number], ...typeof scored];
  if (second && second.amount === first.amount) {
    const tied = scored.filter((s) => s.amount === first.amount).map((s) => s.object.metadata?.name);
    return { unset: `${tied.join(" and ")} tie for the largest ${largest}` };
  }
  const value = fieldOf(first.object, field);
  if (typeof value === "string" || typeof value === "number") return String(value);
  return { unset: `${what} has no ${field}` };
}

/** A number or quantity at path; `list[*].rest` sums rest over the list's items (rest may hold another [*]). */
function amountOf(object: unknown, path: string): number | undefined {
  const star = path.indexOf("[*]");
  if (star < 0) return amount(fieldOf(object, path));
  const items = fieldOf(object, path.slice(0, star));
  if (!Array.isArray(items)) return undefined;
  let total = 0;
  for (const item of items) {
    const value = amountOf(item, path.slice(star + 3).replace(/^\./, ""));
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

function amount(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const quantity = parseQuantity(value);
  return quantity && Number(quantity.num) / Number(quantity.den);
}

/** Reads `spec.containers[0].image` or `spec.containers.0.image` from an object. */
export function fieldOf(object: unknown, field: string): unknown {
  let value: unknown = object;
  for (const part of field
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean)) {
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}
