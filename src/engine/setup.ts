import { join } from "node:path";
import type { LoadedTask } from "../catalog/load.js";
import { readManifestFile } from "../catalog/load.js";
import type { Step, Task } from "../catalog/schema.js";
import { TaskError } from "../errors.js";
import { poll } from "../model/poll.js";
import { evaluate } from "./cel.js";
import { parseDuration } from "./checks.js";
import { formatMismatch } from "./match.js";
import { apiVersionOf, type ClusterWriter, type KubeObject, type NodeAccess } from "./ports.js";
import { resolveRef } from "./resolve.js";
import { fill, type Vars } from "./vars.js";

export const managedBy = { "app.kubernetes.io/managed-by": "kubedrill" };
export const taskLabel = "kubedrill.dev/task";
/** On the task namespace: uids of the objects setup created, for "same object" checks. */
export const uidsAnnotation = "kubedrill.dev/setup-uids";

export interface SetupEnv {
  cluster: ClusterWriter;
  nodes?: NodeAccess;
  vars: Vars;
}

const labelsFor = (task: Task) => ({ ...managedBy, [taskLabel]: task.id });

async function manifestsOf(step: Extract<Step, { apply: unknown }>, dir: string): Promise<KubeObject[]> {
  if (step.apply.manifest) {
    return (Array.isArray(step.apply.manifest) ? step.apply.manifest : [step.apply.manifest]) as KubeObject[];
  }
  const docs = await readManifestFile(join(dir, step.apply.file as string));
  if (!Array.isArray(docs)) throw new TaskError([docs]);
  return docs.map((d) => d.object as KubeObject);
}

/** Creates the task's namespace and runs its setup steps; every object is labeled as kubedrill's. */
export async function startTask(loaded: LoadedTask, env: SetupEnv): Promise<void> {
  const { task } = loaded;
  await resetTask(loaded, env);
  const namespace: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: task.namespace, labels: labelsFor(task) },
  };
  await env.cluster.apply(namespace);
  const uids: Record<string, string> = {};
  for (const raw of task.setup) {
    const step = fill(raw, env.vars);
    if ("apply" in step) {
      for (const manifest of await manifestsOf(step, loaded.dir)) {
        const object = fill(manifest, env.vars);
        const created = await applyLabeled(object, task, env.cluster);
        uids[`${created.kind}/${created.metadata?.name}`] = created.metadata?.uid ?? "";
      }
    } else if ("delete" in step) {
      const ref = step.delete;
      await env.cluster.delete(
        apiVersionOf(ref.kind, ref.apiVersion),
        ref.kind,
        ref.name ?? "",
        ref.namespace ?? task.namespace,
      );
    } else if ("labelNode" in step) {
      await env.cluster.mergePatch("v1", "Node", step.labelNode.node, {
        metadata: { labels: step.labelNode.labels },
      });
    } else if ("writeNodeFile" in step) {
      await requireNodes(env).write(
        step.writeNodeFile.node,
        step.writeNodeFile.path,
        step.writeNodeFile.content,
      );
    } else if ("removeNodeFile" in step) {
      await requireNodes(env).remove(step.removeNodeFile.node, step.removeNodeFile.path);
    } else {
      await waitStep(step.wait, task, env);
    }
  }
  await env.cluster.mergePatch("v1", "Namespace", task.namespace, {
    metadata: { annotations: { [uidsAnnotation]: JSON.stringify(uids) } },
  });
}

async function applyLabeled(object: KubeObject, task: Task, cluster: ClusterWriter): Promise<KubeObject> {
  const apiVersion = apiVersionOf(object.kind ?? "", object.apiVersion);
  const { namespaced } = await cluster.resource(apiVersion, object.kind ?? "");
  const metadata = { ...object.metadata, labels: { ...object.metadata?.labels, ...labelsFor(task) } };
  if (namespaced && !metadata.namespace) metadata.namespace = task.namespace;
  return cluster.apply({ ...object, apiVersion, metadata });
}

function requireNodes(env: SetupEnv): NodeAccess {
  if (!env.nodes) throw new Error("this task needs node access, which this cluster does not offer");
  return env.nodes;
}

async function waitStep(wait: Extract<Step, { wait: unknown }>["wait"], task: Task, env: SetupEnv) {
  const ref = wait.resource;
  let last = "not found";
  const done = await poll(
    async () => {
      const [object] = (await resolveRef(env.cluster, ref, task.namespace)).objects;
      if (!object) return undefined;
      const result = evaluate(wait.expect, { object, vars: env.vars });
      if (result === true) return true;
      last = formatMismatch(result);
      return undefined;
    },
    { timeoutMs: parseDuration(wait.timeout ?? "60s"), intervalMs: 200 },
  );
  if (!done) throw new Error(`setup timed out waiting for ${ref.kind} ${ref.name}: ${last}`);
}

/**
 * Removes everything the task and its solution leave behind: node files, node
 * labels, labeled objects outside the namespace, then the namespace itself.
 * Safe to run any number of times.
 */
export async function resetTask(loaded: LoadedTask, env: SetupEnv): Promise<void> {
  const { task } = loaded;
  const steps = task.setup.map((s) => fill(s, env.vars));
  const cleanup = fill(task.cleanup ?? {}, env.vars);
  const files = [
    ...steps.flatMap((s) => ("writeNodeFile" in s ? [s.writeNodeFile] : [])),
    ...(cleanup.nodeFiles ?? []),
  ];
  for (const file of files) await env.nodes?.remove(file.node, file.path);
  const labels = [
    ...steps.flatMap((s) =>
      "labelNode" in s ? Object.keys(s.labelNode.labels).map((key) => ({ node: s.labelNode.node, key })) : [],
    ),
    ...(cleanup.nodeLabels ?? []),
  ];
  const nodes = await env.cluster.list("v1", "Node");
  for (const { node, key } of labels) {
    for (const current of nodes.filter((n) => node === undefined || n.metadata?.name === node)) {
      if (current.metadata?.labels && key in current.metadata.labels) {
        const name = current.metadata.name ?? "";
        await env.cluster.mergePatch("v1", "Node", name, { metadata: { labels: { [key]: null } } });
      }
    }
  }
  for (const step of steps) {
    if (!("apply" in step)) continue;
    for (const object of await manifestsOf(step, loaded.dir)) {
      const apiVersion = apiVersionOf(object.kind ?? "", object.apiVersion);
      const { namespaced } = await env.cluster.resource(apiVersion, object.kind ?? "");
      const namespace = fill(object.metadata?.namespace, env.vars);
      if (namespaced && (namespace ?? task.namespace) === task.namespace) continue; // goes with the namespace
      const items = await env.cluster.list(
        apiVersion,
        object.kind ?? "",
        namespace,
        `${taskLabel}=${task.id}`,
      );
      for (const item of items)
        await env.cluster.delete(apiVersion, object.kind ?? "", item.metadata?.name ?? "", namespace);
    }
  }
  const namespace = await env.cluster.get("v1", "Namespace", task.namespace);
  // A namespace kubedrill did not create is the user's: leave it alone.
  if (namespace?.metadata?.labels?.[taskLabel] !== task.id) return;
  // Pods wait out their grace period before the namespace can go; a reset need not.
  for (const pod of await env.cluster.list("v1", "Pod", task.namespace)) {
    await env.cluster.delete("v1", "Pod", pod.metadata?.name ?? "", task.namespace, 0);
  }
  await env.cluster.delete("v1", "Namespace", task.namespace);
  const deadline = Date.now() + 120_000;
  while (await env.cluster.get("v1", "Namespace", task.namespace)) {
    if (Date.now() > deadline) throw new Error(`namespace ${task.namespace} is still terminating after 120s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
