import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { bundleObjects } from "../catalog/bundles.js";
import type { LoadedTask } from "../catalog/load.js";
import { readManifestFile } from "../catalog/load.js";
import type { NodePath, Step, Task } from "../catalog/schema.js";
import { TaskError } from "../errors.js";
import type { Helm } from "../model/helm.js";
import { conditionTrue } from "../model/kube.js";
import { poll } from "../model/poll.js";
import { evaluate } from "./cel.js";
import { parseDuration } from "./checks.js";
import { applyPlan, type NodeFiles, recordBeforeStart } from "./cleanup-apply.js";
import { beforeStartAnnotation, cleanupPlan, type Taint, taintsOf, taskLabels } from "./cleanup-plan.js";
import { putBackControlPlane, restartControlPlane, saveEtcdSnapshot } from "./control-plane.js";
import { editedContent, editImpossible, undoneContent } from "./edit-node-file.js";
import { formatMismatch } from "./match.js";
import { runSystemctl, stepCommands } from "./node-service.js";
import { apiVersionOf, type ClusterWriter, type KubeObject } from "./ports.js";
import { resolveRef } from "./resolve.js";
import {
  apiNotBack,
  apiServerWaitTimedOut,
  helmFailed,
  noSuchNode,
  noSuchObject,
  notEstablished,
  rejectedManifest,
  stuckNamespace,
  waitTimedOut,
} from "./setup-errors.js";
import { fill, fillManifest, instanceAnnotation, instanceOf, type Vars } from "./vars.js";

/** On the task namespace: uids of the objects setup created, for "same object" checks. */
export const uidsAnnotation = "kubedrill.dev/setup-uids";

export interface SetupEnv {
  cluster: ClusterWriter;
  nodes?: NodeFiles;
  /** helm aimed at the same cluster, for helmInstall steps. */
  helm?: Helm;
  vars: Vars;
}

/** What start needs beyond setup: the vars of the attempt before, when it was another instance. */
export interface StartEnv extends SetupEnv {
  previous?: Vars;
}

const labelsFor = (task: Task) => taskLabels(task.id);

async function manifestsOf(step: Extract<Step, { apply: unknown }>, dir: string): Promise<KubeObject[]> {
  if (step.apply.manifest) {
    return (Array.isArray(step.apply.manifest) ? step.apply.manifest : [step.apply.manifest]) as KubeObject[];
  }
  const docs = await readManifestFile(join(dir, step.apply.file as string));
  if (!Array.isArray(docs)) throw new TaskError([docs]);
  return docs.map((d) => d.object as KubeObject);
}

/** Every object the setup steps apply, vars not yet filled in their content. */
async function setupObjects(loaded: LoadedTask, vars: Vars): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const step of fill(loaded.task.setup, vars)) {
    if ("apply" in step) objects.push(...(await manifestsOf(step, loaded.dir)));
    if ("install" in step) objects.push(...((await bundleObjects(step.install.bundle)) as KubeObject[]));
  }
  return objects;
}

/** The task's cleanup plan for this cluster, with the kinds it serves (which reset lists). */
export async function planTask(loaded: LoadedTask, env: SetupEnv) {
  const served = await env.cluster.servedKinds();
  const plan = cleanupPlan(loaded.task, env.vars, await setupObjects(loaded, env.vars), served);
  return { plan, served };
}

/**
 * Resets the task, records the state reset will restore, then makes the task's
 * namespace and runs its setup steps; every object is labeled as kubedrill's.
 */
export async function startTask(loaded: LoadedTask, env: StartEnv): Promise<void> {
  const { task } = loaded;
  if (env.previous) await resetPrevious(loaded, { ...env, vars: env.previous }, env);
  await undoSetupEdits(loaded.task, env);
  const { plan, served } = await planTask(loaded, env);
  await applyPlan(plan, env, served);
  // Recorded before any setup step runs, so that a setup failing halfway can still be reset.
  const before = await recordBeforeStart(plan, env);
  await copyEditedFiles(task, env);
  const namespace: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: task.namespace,
      labels: labelsFor(task),
      annotations: {
        [beforeStartAnnotation]: JSON.stringify(before),
        [uidsAnnotation]: "{}",
        ...recordInstance(env.vars),
      },
    },
  };
  await untilNotTerminating(env.cluster, task.namespace);
  await env.cluster.apply(namespace);
  const uids: Record<string, string> = {};
  let recorded = "{}";
  for (const raw of task.setup) {
    const step = fillStep(raw, env.vars);
    const kind = stepKind(step);
    await (stepHandlers[kind] as StepHandler<typeof kind>)(step as StepOf<typeof kind>, {
      loaded,
      env,
      uids,
    });
    // Recorded after each step that adds one, not at the end: a later step may take the API server down.
    if (JSON.stringify(uids) !== recorded) {
      recorded = JSON.stringify(uids);
      await env.cluster.mergePatch("v1", "Namespace", task.namespace, {
        metadata: { annotations: { [uidsAnnotation]: recorded } },
      });
    }
  }
}

/**
 * An earlier attempt of another instance is undone with its own vars first, where its
 * plan differs (a drawn node, a file or an object outside the namespace): this start's
 * plan would not name what that one changed.
 */
async function resetPrevious(loaded: LoadedTask, previous: SetupEnv, env: SetupEnv): Promise<void> {
  const before = await planTask(loaded, previous);
  const now = await planTask(loaded, env);
  if (JSON.stringify(before.plan) !== JSON.stringify(now.plan)) await resetTask(loaded, previous);
}

/** The drawn instance, for check and reset to grade and undo the attempt the learner has. */
function recordInstance(vars: Vars): Record<string, string> {
  const instance = instanceOf(vars);
  return instance ? { [instanceAnnotation]: JSON.stringify(instance) } : {};
}

/** Manifests keep the types of drawn values (a port is a number); every other field is text. */
const fillStep = (step: Step, vars: Vars): Step =>
  "apply" in step || "patch" in step || "helmInstall" in step ? fillManifest(step, vars) : fill(step, vars);

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type StepKind = KeysOfUnion<Step> & string;
type StepOf<K extends StepKind> = Extract<Step, Record<K, unknown>>;
type StepHandler<K extends StepKind> = (
  step: StepOf<K>,
  run: { loaded: LoadedTask; env: SetupEnv; uids: Record<string, string> },
) => Promise<void>;

const stepKind = (step: Step) => Object.keys(step)[0] as StepKind;

/** What each setup step does: one handler per step kind of the schema. */
const stepHandlers: { [K in StepKind]: StepHandler<K> } = {
  apply: async (step, { loaded, env, uids }) => {
    for (const manifest of await manifestsOf(step, loaded.dir)) {
      const created = await applyLabeled(fillManifest(manifest, env.vars), loaded.task, env.cluster);
      uids[`${created.kind}/${created.metadata?.name}`] = created.metadata?.uid ?? "";
    }
  },
  delete: async ({ delete: ref }, { loaded, env }) => {
    const namespace = ref.namespace ?? loaded.task.namespace;
    await env.cluster.delete(apiVersionOf(ref.kind, ref.apiVersion), ref.kind, ref.name ?? "", namespace);
  },
  patch: async ({ patch }, { loaded, env, uids }) => {
    const { resource } = patch;
    const apiVersion = apiVersionOf(resource.kind, resource.apiVersion);
    const { namespaced } = await env.cluster.resource(apiVersion, resource.kind);
    const namespace = namespaced ? (resource.namespace ?? loaded.task.namespace) : undefined;
    if (!(await env.cluster.get(apiVersion, resource.kind, resource.name, namespace)))
      throw noSuchObject(resource.kind, resource.name, namespace, loaded.task.id);
    // Either way reset restores each leaf the patch names, a list as a whole (see leafPaths).
    const write = patch.type === "strategic" ? env.cluster.strategicPatch : env.cluster.mergePatch;
    const patched = await write.call(
      env.cluster,
      apiVersion,
      resource.kind,
      resource.name,
      patch.patch,
      namespace,
    );
    uids[`${resource.kind}/${resource.name}`] = patched.metadata?.uid ?? "";
  },
  labelNode: async ({ labelNode }, { env }) => {
    await env.cluster.mergePatch("v1", "Node", labelNode.node, { metadata: { labels: labelNode.labels } });
  },
  taintNode: async ({ taintNode }, { loaded, env }) => {
    const node = await env.cluster.get("v1", "Node", taintNode.node);
    if (!node) throw noSuchNode(taintNode.node, loaded.task.id);
    const replaced = (t: Taint) => taintNode.taints.some((n) => n.key === t.key && n.effect === t.effect);
    const kept = taintsOf(node).filter((t) => !replaced(t));
    await env.cluster.mergePatch("v1", "Node", taintNode.node, {
      spec: { taints: [...kept, ...taintNode.taints] },
    });
  },
  cordonNode: async ({ cordonNode }, { loaded, env }) => {
    if (!(await env.cluster.get("v1", "Node", cordonNode.node)))
      throw noSuchNode(cordonNode.node, loaded.task.id);
    await env.cluster.mergePatch("v1", "Node", cordonNode.node, { spec: { unschedulable: true } });
  },
  writeNodeFile: ({ writeNodeFile: file }, { env }) =>
    requireNodes(env).write(file.node, file.path, file.content),
  editNodeFile: async ({ editNodeFile: edit }, { loaded, env }) => {
    const nodes = requireNodes(env);
    const content = await nodes.read(edit.node, edit.path);
    const edited = content === undefined ? undefined : editedContent(content, edit.replace);
    if (!edited || "missing" in edited) throw editImpossible(edit, content, edited?.missing, loaded.task.id);
    // Kept on the node too: reset may need it while the edit keeps the API server (and the namespace's record) away.
    await nodes.write(edit.node, copyBeforeEdit(loaded.task.id, edit.path), content as string);
    await nodes.write(edit.node, edit.path, edited.content);
  },
  removeNodeFile: ({ removeNodeFile: file }, { env }) => requireNodes(env).remove(file.node, file.path),
  etcdSnapshot: ({ etcdSnapshot: file }, { loaded, env }) =>
    saveEtcdSnapshot(requireNodes(env), file, loaded.task.id),
  systemctl: ({ systemctl: service }, { env }) =>
    runSystemctl(requireNodes(env), service.node, stepCommands(service)),
  helmInstall: ({ helmInstall }, { loaded, env }) => installChart(helmInstall, loaded, env),
  copyToAnswers: async ({ copyToAnswers: copy }, { loaded, env }) => {
    if (!env.vars.answers)
      throw new Error("copyToAnswers needs the task's answers folder, which is not known");
    const to = join(env.vars.answers, copy.to ?? basename(copy.from));
    await cp(join(loaded.dir, copy.from), to, { recursive: true, force: true });
  },
  wait: ({ wait }, { loaded, env }) => waitStep(wait, loaded.task, env),
  waitApiServer: async ({ waitApiServer: { ready, timeout = "60s" } }, { loaded, env }) => {
    const ask = env.cluster.notReady?.bind(env.cluster);
    if (!ask)
      throw new Error("this task waits on the API server's /readyz, which this cluster writer cannot ask");
    let why: string | undefined;
    const done = await poll(
      async () => {
        why = await ask();
        return (why === undefined) === ready ? true : undefined;
      },
      { timeoutMs: parseDuration(timeout), intervalMs: 200 },
    );
    const now = why === undefined ? "it answers ok" : `it does not: ${why}`;
    if (!done) throw apiServerWaitTimedOut(loaded.task.id, ready, timeout, now);
  },
  install: async ({ install }, { loaded, env }) => {
    const created: KubeObject[] = [];
    for (const object of (await bundleObjects(install.bundle)) as KubeObject[]) {
      const apiVersion = apiVersionOf(object.kind ?? "", object.apiVersion);
      // One the cluster has already (the learner's, a controller's) stays as it is, unlabeled, so reset keeps it.
      if (await env.cluster.get(apiVersion, object.kind ?? "", object.metadata?.name ?? "")) continue;
      created.push(await applyLabeled(object, loaded.task, env.cluster));
    }
    await untilEstablished(env.cluster, created, loaded.task.id);
  },
};

/** helm install into the task's namespace, the values through a file as `-f` gives them. */
async function installChart(
  step: Extract<Step, { helmInstall: unknown }>["helmInstall"],
  loaded: LoadedTask,
  env: SetupEnv,
): Promise<void> {
  if (!env.helm) throw new Error("this task installs a chart, and no helm was handed to setup");
  const dir = await mkdtemp(join(tmpdir(), "kubedrill-values-"));
  try {
    const values = join(dir, "values.json");
    // JSON is YAML: helm reads the file as it reads any values file.
    await writeFile(values, JSON.stringify(step.values ?? {}));
    const chart = join(loaded.dir, step.chart);
    const args = ["install", step.release, chart, "--namespace", loaded.task.namespace, "--values", values];
    const result = await env.helm.run(args);
    if (result.exitCode !== 0) throw helmFailed(step.release, result, loaded.task.id, loaded.task.namespace);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A CRD's kinds are served once it is Established: the next steps and the checks use them. */
async function untilEstablished(cluster: ClusterWriter, objects: KubeObject[], task: string): Promise<void> {
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  for (const crd of crds) {
    const name = crd.metadata?.name ?? "";
    const established = await poll(
      async () => {
        const now = await cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name);
        return conditionTrue(now, "Established") ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    if (!established) throw notEstablished(name, task);
  }
}

/** A namespace the learner deleted may still be Terminating: start makes it again once it is gone. */
async function untilNotTerminating(cluster: ClusterWriter, name: string): Promise<void> {
  const since = Date.now();
  await poll(
    async () => {
      const ns = await cluster.get("v1", "Namespace", name);
      if (!ns?.metadata?.deletionTimestamp) return true;
      const stuck = stuckNamespace(ns, Date.now() - since);
      if (stuck) throw stuck;
      return undefined;
    },
    // stuckNamespace ends the wait with its own message well before this.
    { timeoutMs: Number.POSITIVE_INFINITY, intervalMs: 200 },
  );
}

async function applyLabeled(object: KubeObject, task: Task, cluster: ClusterWriter): Promise<KubeObject> {
  const apiVersion = apiVersionOf(object.kind ?? "", object.apiVersion);
  const { namespaced } = await cluster.resource(apiVersion, object.kind ?? "");
  const metadata = { ...object.metadata, labels: { ...object.metadata?.labels, ...labelsFor(task) } };
  if (namespaced && !metadata.namespace) metadata.namespace = task.namespace;
  return cluster.apply({ ...object, apiVersion, metadata }).catch((err: unknown) => {
    throw rejectedManifest(object, err);
  });
}

function requireNodes(env: SetupEnv): NodeFiles {
  if (!env.nodes) throw new Error("this task needs node access, which this cluster does not offer");
  return env.nodes;
}

/**
 * A wait holds only when its expectation stays true this long. Right after reset, the
 * controllers may not have seen the old objects go: a ReplicaSet made again under the same
 * name can show the old one's ready replicas for a moment, before any pod of its own exists.
 */
const waitHoldMs = 2000;

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
    { timeoutMs: parseDuration(wait.timeout ?? "60s"), intervalMs: 200, holdMs: waitHoldMs },
  );
  if (!done) throw waitTimedOut(`${ref.kind} ${ref.name}`, wait.timeout ?? "60s", last, task.id);
}

/**
 * Brings the cluster back to its state before start: the task's namespace
 * emptied (kept, so that the next start need not wait for the namespace
 * controller), node files, labels, taints and cordons as they were, objects
 * outside the namespace deleted. Safe to run any number of times.
 */
export async function resetTask(loaded: LoadedTask, env: SetupEnv): Promise<void> {
  await undoSetupEdits(loaded.task, env);
  const { plan, served } = await planTask(loaded, env);
  await applyPlan(plan, env, served);
  const copiedOn = new Set(setupEdits(loaded.task, env.vars).map((edit) => edit.node));
  for (const node of copiedOn) await env.nodes?.remove(node, copyBeforeEdit(loaded.task.id, ""));
  if (instanceOf(env.vars)) await forgetInstance(env.cluster, loaded.task.namespace);
}

/** After a reset there is no attempt: check, show and the next start see the min instance. */
async function forgetInstance(cluster: ClusterWriter, namespace: string): Promise<void> {
  const ns = await cluster.get("v1", "Namespace", namespace);
  if (ns?.metadata?.annotations?.[instanceAnnotation] === undefined) return;
  await cluster.mergePatch("v1", "Namespace", namespace, {
    metadata: { annotations: { [instanceAnnotation]: null } },
  });
}

/** Where start keeps, on the node, a file's content before an editNodeFile step changed it. */
export const copyBeforeEdit = (task: string, path: string) =>
  `/var/lib/kubedrill/before-start/${task}${path}`;

/** The files whose content before start is kept on the node: setup's edits, and the learner's (cleanup.editedNodeFiles). */
const setupEdits = (task: Task, vars: Vars) => [
  ...fill(task.setup, vars).flatMap((step) => ("editNodeFile" in step ? [step.editNodeFile] : [])),
  ...(fill(task.cleanup?.editedNodeFiles ?? [], vars) as NodePath[]).map((file) => ({
    ...file,
    replace: [],
  })),
];

/** Files the learner edits, kept on the node as start found them: reset may not reach the namespace's record. */
async function copyEditedFiles(task: Task, env: SetupEnv): Promise<void> {
  for (const { node, path } of fill(task.cleanup?.editedNodeFiles ?? [], env.vars) as NodePath[]) {
    const nodes = requireNodes(env);
    const content = await nodes.read(node, path);
    if (content !== undefined) await nodes.write(node, copyBeforeEdit(task.id, path), content);
  }
}

/**
 * Reset's first pass, which needs no API server: each file a setup editNodeFile changed
 * gets back the content start kept on the node (the file edited further or deleted), or,
 * without that copy, the step's change is taken back where it still is; a broken
 * control-plane manifest keeps the API server down. Then the API server has until
 * apiReadyMs to answer on /readyz. The cleanup plan, which reads the API, then restores
 * the rest.
 */
async function undoSetupEdits(task: Task, env: SetupEnv): Promise<void> {
  const restart = task.cleanup?.restartControlPlane && fill(task.cleanup.restartControlPlane, env.vars);
  let written = restart && env.nodes ? await putBackControlPlane(env.nodes, restart.node, task.id) : false;
  for (const { node, path, replace } of env.nodes ? setupEdits(task, env.vars) : []) {
    const nodes = env.nodes as NodeFiles;
    const content = await nodes.read(node, path);
    const before = await nodes.read(node, copyBeforeEdit(task.id, path));
    const undone = before ?? (content === undefined ? undefined : undoneContent(content, replace));
    if (undone !== undefined && undone !== content) {
      await nodes.write(node, path, undone);
      written = true;
    }
  }
  // A manifest written back restarts its component: an API server that still answers may be
  // the old one, about to go. Ready must then hold a while, past the kubelet's restart.
  await untilApiReady(env.cluster, task.id, written ? restartHoldMs : 0);
  if (restart && env.nodes) {
    await restartControlPlane(env.nodes, env.cluster, restart.node, task.id, apiReadyMs);
    await untilApiReady(env.cluster, task.id, restartHoldMs);
  }
}

/** How long reset waits for the API server after putting its manifest back: a restart takes a few seconds. */
export const apiReadyMs = 90_000;
/** How long /readyz must stay ok after reset wrote a manifest back (the local kubelet restarts within ~1 s). */
export const restartHoldMs = 5000;

async function untilApiReady(cluster: ClusterWriter, task: string, holdMs: number): Promise<void> {
  if (!cluster.notReady) return;
  let why = await cluster.notReady();
  if (why === undefined && holdMs === 0) return;
  const ready = await poll(
    async () => {
      why = await cluster.notReady?.();
      return why === undefined ? true : undefined;
    },
    { timeoutMs: apiReadyMs, intervalMs: 250, holdMs },
  );
  if (!ready) throw apiNotBack(task, why ?? "", apiReadyMs);
}
