import { dirname, isAbsolute, relative, sep } from "node:path";
import type { Domain } from "../model/domains.js";
import { taskSchema } from "./schema.js";

/**
 * The files of a new task: a working example (a pod with a typo in its image that the
 * learner fixes) whose every field is explained, so an author edits rather than starts
 * from a blank page. Pure: returns file contents, writes nothing.
 */

export interface ScaffoldOptions {
  id: string;
  domain: Domain;
  /** What the modeline points at: see schemaReference. */
  schema: string;
}

export const isTaskId = (id: string): boolean => taskSchema.shape.id.safeParse(id).success;

/**
 * The $schema of a new task.yaml in taskDir: relative to the built-in schema when the
 * task lies inside the kubedrill checkout or package that holds it, absolute otherwise.
 */
export function schemaReference(taskDir: string, builtinSchema: string): string {
  const root = dirname(dirname(builtinSchema));
  const fromRoot = relative(root, taskDir);
  if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) return builtinSchema;
  return relative(taskDir, builtinSchema).split(sep).join("/");
}

/** File name → content, for the task's folder. */
export function scaffoldTask(options: ScaffoldOptions): Record<string, string> {
  return { "task.yaml": taskYaml(options), "broken.yaml": brokenPod };
}

const brokenPod = `# Applied by the task's setup. Without metadata.namespace it goes into the task's
# namespace; setup may not write to other namespaces.
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: ngnix:1.27 # the typo the learner has to find
`;

function taskYaml({ id, domain, schema }: ScaffoldOptions): string {
  const ns = id;
  return `# yaml-language-server: $schema=${schema}
# A kubedrill task. The example below works as it is: replace it with your own.
# Check the file with \`kubedrill validate <folder>\`; prove it on a practice cluster with
# \`kubedrill verify ${id} --tasks <catalog folder>\` (unsolved must fail, the solution must pass).

# Unique, kebab-case; the folder is named after it.
id: ${id}
# What the learner must achieve, in a few words.
title: Fix the pod web
# CKA curriculum domain: workloads, networking, storage, troubleshooting or architecture.
domain: ${domain}
# easy, medium or hard.
difficulty: easy
# Time budget in minutes, as in the exam.
minutes: 5
# The task's own namespace: start creates it, reset deletes it with everything inside.
namespace: ${ns}
# Optional: what the cluster must offer, e.g. requires: [containers, { workers: 2 }];
# where it does not, the task is marked unavailable and skipped.
# Markdown shown to the learner. {{namespace}}, {{worker}}, {{controlPlane}}, {{answers}},
# {{taskId}} and the task's vars are filled in.
description: |
  The pod \`web\` in namespace \`${ns}\` does not start.

  Find out why, and fix it so that it runs the image \`nginx:1.27\` and is Running.
# Optional variables read from the cluster at start and at check time, e.g.
#   vars:
#     podIP: { resource: { kind: Pod, name: web }, field: status.podIP }
#     sandbox: { nodeFile: { node: "{{worker}}", path: /etc/containerd/config.toml }, pattern: 'sandbox_image = "(.+)"' }
# What \`kubedrill start\` does after creating the namespace: declarative steps, no shell.
# apply (file: beside this one, or manifest: inline), delete, patch, labelNode, taintNode, cordonNode, writeNodeFile,
# editNodeFile (replace text in a node file), removeNodeFile, systemctl (enable/disable, start/stop/restart a node service), wait (resource + CEL expect + timeout), install (a bundle kubedrill ships: gateway-api).
setup:
  - apply: { file: broken.yaml }
# Checks only read. Each has a title (a sentence the learner reads), points (default 1)
# and one target:
#   resource: an object by kind and name (or selector); absent: true passes when it is gone;
#   file: an answer file the learner writes under {{answers}};
#   nodeFile: a file on a node;
#   nodeService: a node's kubelet or containerd, active and/or enabled (systemctl).
# A resource check passes when match (a partial object; lists of named items match by
# name) and expect (CEL over \`object\`, as in ValidatingAdmissionPolicy) both hold.
# file and nodeFile checks also take equals (the exact content) or pattern (a regex).
# within: 30s keeps checking until it passes or the time is up. passesUnsolved: true marks
# a check that rightly passes before the task is solved (verify allows it).
checks:
  - title: Pod web runs the image nginx:1.27
    points: 2
    resource: { kind: Pod, name: web }
    match:
      spec: { containers: [{ name: web, image: "nginx:1.27" }] }
  - title: Pod web is Running
    points: 1
    within: 30s
    resource: { kind: Pod, name: web }
    expect: object.status.phase == "Running"
# Optional: what a solution leaves outside the namespace, for reset to remove, e.g.
#   cleanup:
#     nodeLabels: [{ key: disktype }]
#     nodeFiles: [{ node: "{{worker}}", path: /etc/kubernetes/manifests/web.yaml }]
# Shown one at a time when the learner asks for a hint.
hints:
  - "\`kubectl -n ${ns} describe pod web\` lists the events: look for the image pull error."
  - "A container's image is one of the few pod fields you may change in place: \`kubectl set image\`."
# A runnable shell script that solves the task: \`kubedrill verify\` runs it, then every
# check must pass. {{answers}}, {{worker}} and the other variables are filled in.
solution: |
  kubectl -n ${ns} set image pod/web web=nginx:1.27
`;
}
