import { join } from "node:path";
import type { LoadedTask } from "./load.js";
import type { Step } from "./schema.js";
import { clusterScopedKinds } from "./semantics.js";
import { readManifestFile } from "./yaml-source.js";

// Whether a task changes something other tasks also see, and how far that reaches.
// A task that keeps to its namespace may be proved beside any other. One that makes
// cluster-scoped objects of its own, which no other task reads, may run beside those,
// but not beside another of its kind (two could pick the same name). One that changes
// nodes, the control plane, system objects or how the cluster treats every namespace
// (a default StorageClass, a PriorityClass) disturbs every other proof: it runs alone.

export interface SharedState {
  /** "objects": only cluster-scoped objects of its own; "cluster": the whole cluster. */
  scope: "objects" | "cluster";
  reason: string;
}

/**
 * Cluster-scoped kinds whose objects other namespaces' objects only see by name. A
 * PersistentVolume binds only claims of its class; the catalog's volume tasks use
 * classes of their own.
 */
const ownObjectKinds = new Set([
  "PersistentVolume",
  "CustomResourceDefinition",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
]);

/** Solution lines that change a node through kubectl rather than through declared cleanup. */
const nodeCommand = /\bkubectl\s+(label|taint|cordon|uncordon|drain|annotate)\s+(nodes?|no)\b/;

const ofKind = (kind: string, reason: string): SharedState => ({
  scope: ownObjectKinds.has(kind) ? "objects" : "cluster",
  reason,
});

async function appliedKinds(step: Extract<Step, { apply: unknown }>, dir: string): Promise<string[]> {
  const { manifest, file } = step.apply;
  if (manifest) return (Array.isArray(manifest) ? manifest : [manifest]).map((m) => String(m.kind ?? ""));
  const docs = await readManifestFile(join(dir, file as string));
  return Array.isArray(docs) ? docs.map((d) => String(d.object.kind ?? "")) : [];
}

async function findings({ task, dir, proofs }: LoadedTask): Promise<SharedState[]> {
  const found: SharedState[] = [];
  const cluster = (reason: string) => found.push({ scope: "cluster", reason });
  const scoped = (kind: string) => kind !== "Namespace" && clusterScopedKinds.has(kind);
  for (const step of task.setup) {
    if (
      "labelNode" in step ||
      "taintNode" in step ||
      "cordonNode" in step ||
      "writeNodeFile" in step ||
      "editNodeFile" in step ||
      "removeNodeFile" in step ||
      "etcdSnapshot" in step ||
      "systemctl" in step
    ) {
      cluster(`setup changes a node (${Object.keys(step)[0]})`);
    }
    if ("delete" in step && scoped(step.delete.kind))
      found.push(ofKind(step.delete.kind, `setup deletes a ${step.delete.kind}`));
    if ("patch" in step) cluster(`setup changes ${step.patch.resource.kind} ${step.patch.resource.name}`);
    if ("install" in step) cluster(`setup installs the bundle ${step.install.bundle}`);
    if ("apply" in step) {
      for (const kind of new Set((await appliedKinds(step, dir)).filter(scoped)))
        found.push(ofKind(kind, `setup applies a ${kind}`));
    }
  }
  const cleanup = task.cleanup ?? {};
  if (cleanup.nodeFiles?.length) cluster("its solution writes node files");
  if (cleanup.editedNodeFiles?.length) cluster("its solution edits node files");
  if (cleanup.nodeFolders?.length) cluster("its solution makes node folders");
  if (cleanup.restartControlPlane) cluster("its reset restarts the control plane");
  if (cleanup.nodeLabels?.length) cluster("its solution labels nodes");
  if (cleanup.nodeTaints?.length) cluster("its solution taints nodes");
  if (cleanup.cordons?.length) cluster("its solution cordons nodes");
  const field = cleanup.fields?.[0];
  if (field) cluster(`its solution changes ${field.kind} ${field.name}, which is not the task's`);
  for (const { kind } of cleanup.objects ?? [])
    found.push(ofKind(kind, `its solution creates a ${kind}, which is cluster-scoped`));
  for (const check of task.checks) {
    if ("resource" in check && scoped(check.resource.kind))
      found.push(ofKind(check.resource.kind, `it checks a ${check.resource.kind}, which is cluster-scoped`));
  }
  const scripts = [task.solution, ...(proofs?.correct ?? []), ...(proofs?.wrong ?? [])].map((s) =>
    typeof s === "string" ? s : s.script,
  );
  if (scripts.some((script) => nodeCommand.test(script))) cluster("a solution changes a node with kubectl");
  return found;
}

/** What this task shares with others, or undefined when it keeps to its namespace. */
export async function sharedState(loaded: LoadedTask): Promise<SharedState | undefined> {
  const found = await findings(loaded);
  return found.find((f) => f.scope === "cluster") ?? found[0];
}
