import { homedir } from "node:os";
import { join } from "node:path";
import type { Task } from "../catalog/schema.js";
import { fill, type Vars } from "../model/template.js";
import type { ClusterReader, NodeAccess } from "./ports.js";
import { resolveRef } from "./resolve.js";

export { fill, type Vars };

/** Where learners save answer files: <answers>/<task-id>/<name>. */
export function answersRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEDRILL_ANSWERS || join(homedir(), "kubedrill", "answers");
}

const isControlPlane = (labels: Record<string, string> = {}) =>
  "node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels;

/**
 * The variables of one run: worker (the first worker node by name, as kind and
 * the local cluster name them), controlPlane, namespace, taskId, answers, and the
 * task's own vars read from node files.
 */
export async function resolveVars(
  task: Task,
  cluster: ClusterReader,
  nodes: NodeAccess | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Vars> {
  const nodeList = await cluster.list("v1", "Node");
  const names = (pick: (n: (typeof nodeList)[number]) => boolean) =>
    nodeList
      .filter(pick)
      .map((n) => n.metadata?.name ?? "")
      .sort();
  const workers = names((n) => !isControlPlane(n.metadata?.labels));
  const controlPlanes = names((n) => isControlPlane(n.metadata?.labels));
  const vars: Vars = {
    namespace: task.namespace,
    taskId: task.id,
    answers: join(answersRoot(env), task.id),
    worker: workers[0] ?? controlPlanes[0] ?? "",
    controlPlane: controlPlanes[0] ?? "",
  };
  for (const [key, variable] of Object.entries(task.vars ?? {})) {
    const value = await readVariable(fill(variable, vars), task.namespace, cluster, nodes);
    if (value !== undefined) vars[key] = value;
  }
  return vars;
}

/** A variable that cannot be read yet (the object or file does not exist) stays unset. */
async function readVariable(
  variable: NonNullable<Task["vars"]>[string],
  namespace: string,
  cluster: ClusterReader,
  nodes: NodeAccess | undefined,
): Promise<string | undefined> {
  if ("nodeFile" in variable) {
    const content = nodes ? await nodes.read(variable.nodeFile.node, variable.nodeFile.path) : undefined;
    return content?.match(new RegExp(variable.pattern, "m"))?.[1];
  }
  const [object] = (await resolveRef(cluster, variable.resource, namespace)).objects;
  let value: unknown = object;
  for (const part of variable.field.split("."))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
