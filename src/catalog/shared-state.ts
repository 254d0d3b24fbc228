import { join } from "node:path";
import type { LoadedTask } from "./load.js";
import type { Step } from "./schema.js";
import { clusterScopedKinds } from "./semantics.js";
import { readManifestFile } from "./yaml-source.js";

// Whether a task changes something other tasks also see: nodes (files, labels, taints)
// or cluster-scoped objects. Such tasks are proved one at a time; the others, which stay
// inside their own namespace, may be proved side by side.

/** Solution lines that change a node through kubectl rather than through declared cleanup. */
const nodeCommand = /\bkubectl\s+(label|taint|cordon|uncordon|drain|annotate)\s+(nodes?|no)\b/;

async function appliedKinds(step: Extract<Step, { apply: unknown }>, dir: string): Promise<string[]> {
  const { manifest, file } = step.apply;
  if (manifest) return (Array.isArray(manifest) ? manifest : [manifest]).map((m) => String(m.kind ?? ""));
  const docs = await readManifestFile(join(dir, file as string));
  return Array.isArray(docs) ? docs.map((d) => String(d.object.kind ?? "")) : [];
}

/** Why this task must be proved alone, or undefined when it keeps to its namespace. */
export async function sharedStateReason({ task, dir, proofs }: LoadedTask): Promise<string | undefined> {
  const scoped = (kind: string) => kind !== "Namespace" && clusterScopedKinds.has(kind);
  for (const step of task.setup) {
    if (
      "labelNode" in step ||
      "taintNode" in step ||
      "cordonNode" in step ||
      "writeNodeFile" in step ||
      "editNodeFile" in step ||
      "removeNodeFile" in step
    ) {
      return `setup changes a node (${Object.keys(step)[0]})`;
    }
    if ("delete" in step && scoped(step.delete.kind)) return `setup deletes a ${step.delete.kind}`;
    if ("patch" in step) return `setup changes ${step.patch.resource.kind} ${step.patch.resource.name}`;
    if ("install" in step) return `setup installs the bundle ${step.install.bundle}`;
    if ("apply" in step) {
      const kind = (await appliedKinds(step, dir)).find(scoped);
      if (kind) return `setup applies a ${kind}`;
    }
  }
  const cleanup = task.cleanup ?? {};
  if (cleanup.nodeFiles?.length) return "its solution writes node files";
  if (cleanup.nodeLabels?.length) return "its solution labels nodes";
  if (cleanup.nodeTaints?.length) return "its solution taints nodes";
  if (cleanup.cordons?.length) return "its solution cordons nodes";
  const field = cleanup.fields?.[0];
  if (field) return `its solution changes ${field.kind} ${field.name}, which is not the task's`;
  const object = cleanup.objects?.[0];
  if (object) return `its solution creates a ${object.kind}, which is cluster-scoped`;
  const checked = task.checks.find((c) => "resource" in c && scoped(c.resource.kind));
  if (checked && "resource" in checked)
    return `it checks a ${checked.resource.kind}, which is cluster-scoped`;
  const scripts = [task.solution, ...(proofs?.correct ?? []), ...(proofs?.wrong ?? [])].map((s) =>
    typeof s === "string" ? s : s.script,
  );
  if (scripts.some((script) => nodeCommand.test(script))) return "a solution changes a node with kubectl";
  return undefined;
}
