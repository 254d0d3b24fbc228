import type { NodePath, NodeUnit, Task } from "../catalog/schema.js";
import { isReady } from "../model/kube.js";
import { isActive, isEnabled, restoreCommands, type ServiceState } from "./node-service.js";
import { apiVersionOf, type KubeObject, type ServedKind } from "./ports.js";
import { fieldOf, fill, type Vars } from "./vars.js";

/**
 * What a task's start changes and what reset must undo, computed without a
 * cluster: reset applies it, verify checks that nothing of it is left, and both
 * read the cluster the same way (ADR 0004).
 */

export const managedBy = { "app.kubernetes.io/managed-by": "kubedrill" };
export const taskLabel = "kubedrill.dev/task";
/** On the task namespace: the state before start of everything reset restores (ADR 0004). */
export const beforeStartAnnotation = "kubedrill.dev/before-start";

/** Objects outside the task's namespace: one by name, or setup's by the task label. */
export interface PlannedObjects {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  selector?: string;
}

export interface NodeKey {
  node?: string;
  key: string;
  /** Only setup changes it: without a record of its state before start, reset leaves it alone. */
  fromSetup?: boolean;
}

export type PlannedFile = NodePath & { fromSetup?: boolean };

/** One field of an object that is not the task's, by dotted path. */
export interface PlannedField {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  path: string;
  fromSetup?: boolean;
}

export interface CleanupPlan {
  taskId: string;
  /** Emptied by reset when kubedrill made it; kept, so the next start need not wait for its deletion. */
  namespace: string;
  objects: PlannedObjects[];
  /** Restored to their content before start (absent then: removed). */
  nodeFiles: PlannedFile[];
  /** Removed with what they hold. */
  nodeFolders: NodePath[];
  nodeLabels: NodeKey[];
  nodeTaints: NodeKey[];
  /** Nodes whose spec.unschedulable reset restores. */
  cordons: { node?: string }[];
  /** Fields of objects that are not the task's, restored to their value before start. */
  fields: PlannedField[];
  /** Node services setup stops, disables or restarts: put back active and enabled as before start. */
  services: NodeUnit[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** What start found before it changed anything; stored on the task namespace. */
export interface BeforeStart {
  files: { node: string; path: string; content?: string }[];
  /** Absent in records made before fields were restored. `value` absent: the field was not set. */
  fields?: { key: string; value?: unknown }[];
  nodes: Record<string, { labels: Record<string, string | null>; taints: Taint[]; unschedulable?: boolean }>;
  /** Absent in records made before services were restored. */
  services?: ServiceRecord[];
}

/** Whether a node's unit ran and started at boot before start, and whether its node was Ready. */
export interface ServiceRecord extends NodeUnit {
  active: boolean;
  enabled: boolean;
  /** Absent in records made before readiness was kept. */
  nodeReady?: boolean;
}

export const taskLabels = (taskId: string) => ({ ...managedBy, [taskLabel]: taskId });

const unique = <T>(items: T[]) => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];

/**
 * Setup's entries, then cleanup's, once each. What the learner may change too
 * is not setup's alone: without a record it is removed like cleanup's.
 */
function merged<T extends { fromSetup?: boolean }>(
  fromSetup: T[],
  fromCleanup: T[],
  id: (t: T) => string,
): T[] {
  const byId = new Map<string, T>();
  for (const entry of fromSetup) byId.set(id(entry), { ...entry, fromSetup: true });
  for (const entry of fromCleanup) byId.set(id(entry), entry);
  return [...byId.values()];
}

/**
 * The plan of one task run. `setupObjects` are the manifests setup applies (vars
 * not yet filled); `served` tells namespaced from cluster-scoped kinds. A kind
 * not served yet (a CRD's, made by setup) is taken as namespaced: it goes with
 * the namespace or with its CRD.
 */
export function cleanupPlan(
  task: Task,
  vars: Vars,
  setupObjects: KubeObject[],
  served: ServedKind[],
): CleanupPlan {
  const steps = fill(task.setup, vars);
  const cleanup = fill(task.cleanup ?? {}, vars);
  const scope = (apiVersion: string, kind: string) =>
    served.find((s) => s.kind === kind && s.apiVersion === apiVersion)?.namespaced ?? true;
  const fromSetup = fill(setupObjects, vars).flatMap((object): PlannedObjects[] => {
    const kind = object.kind ?? "";
    const apiVersion = apiVersionOf(kind, object.apiVersion);
    const namespaced = scope(apiVersion, kind);
    const namespace = object.metadata?.namespace;
    if (namespaced && (namespace ?? task.namespace) === task.namespace) return [];
    return [
      {
        apiVersion,
        kind,
        namespace: namespaced ? namespace : undefined,
        selector: `${taskLabel}=${task.id}`,
      },
    ];
  });
  const named = (cleanup.objects ?? []).map(({ kind, apiVersion, name, namespace }) => {
    const version = apiVersionOf(kind, apiVersion);
    return {
      apiVersion: version,
      kind,
      name,
      namespace: scope(version, kind) ? (namespace ?? task.namespace) : undefined,
    };
  });
  return {
    taskId: task.id,
    namespace: task.namespace,
    objects: unique([...fromSetup, ...named]),
    nodeFiles: merged<PlannedFile>(
      [
        // Files the cluster has, which the learner edits: without a record, left as they are.
        ...(cleanup.editedNodeFiles ?? []),
        ...steps.flatMap((s) =>
          "writeNodeFile" in s
            ? [s.writeNodeFile]
            : "editNodeFile" in s
              ? [s.editNodeFile]
              : "removeNodeFile" in s
                ? [s.removeNodeFile]
                : "etcdSnapshot" in s
                  ? [s.etcdSnapshot]
                  : [],
        ),
      ],
      cleanup.nodeFiles ?? [],
      (f) => `${f.node}:${f.path}`,
    ).map(({ node, path, fromSetup }) => ({ node, path, ...(fromSetup ? { fromSetup } : {}) })),
    nodeFolders: unique((cleanup.nodeFolders ?? []).map(({ node, path }) => ({ node, path }))),
    nodeLabels: merged<NodeKey>(
      steps.flatMap((s) =>
        "labelNode" in s
          ? Object.keys(s.labelNode.labels).map((key) => ({ node: s.labelNode.node, key }))
          : [],
      ),
      cleanup.nodeLabels ?? [],
      (l) => `${l.node ?? "*"}:${l.key}`,
    ),
    // What setup taints or cordons is put back like what the learner may change: as it was before start.
    nodeTaints: unique([
      ...steps.flatMap((s) =>
        "taintNode" in s ? s.taintNode.taints.map(({ key }) => ({ node: s.taintNode.node, key })) : [],
      ),
      ...(cleanup.nodeTaints ?? []),
    ]),
    cordons: unique([
      ...steps.flatMap((s) => ("cordonNode" in s ? [{ node: s.cordonNode.node }] : [])),
      ...(cleanup.cordons ?? []),
    ]),
    fields: merged<PlannedField>(
      steps.flatMap((s) =>
        "patch" in s ? leafPaths(s.patch.patch).map((path) => plannedField(s.patch.resource, path)) : [],
      ),
      (cleanup.fields ?? []).flatMap((f) => f.paths.map((path) => plannedField(f, path))),
      fieldKey,
    ),
    services: unique(
      steps.flatMap((s) => ("systemctl" in s ? [{ node: s.systemctl.node, unit: s.systemctl.unit }] : [])),
    ),
  };

  function plannedField(
    ref: { kind: string; apiVersion?: string; name: string; namespace?: string },
    path: string,
  ) {
    const apiVersion = apiVersionOf(ref.kind, ref.apiVersion);
    const namespace = scope(apiVersion, ref.kind) ? (ref.namespace ?? task.namespace) : undefined;
    return { apiVersion, kind: ref.kind, name: ref.name, ...(namespace ? { namespace } : {}), path };
  }
}

/**
 * The dotted paths of a merge patch's leaves. An array is a leaf (merge patches replace
 * arrays; a strategic patch merges one container into the list, and the whole list
 * recorded before start puts it back as it was), and so is a map with a key that has a
 * dot (annotations, labels): a dotted path cannot name such a key, so the whole map is
 * restored.
 */
export function leafPaths(patch: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(patch).flatMap(([key, value]) => {
    const map = value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
    return map.length > 0 && !map.some((k) => k.includes("."))
      ? leafPaths(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`];
  });
}

/** The object a planned field belongs to: fields of one object are read and patched together. */
export const fieldObjectId = (f: Pick<PlannedField, "apiVersion" | "kind" | "namespace" | "name">) =>
  `${f.apiVersion}/${f.kind}/${f.namespace ?? ""}/${f.name}`;

/** A field's identity in the plan and in the record. */
export const fieldKey = (f: Omit<PlannedField, "fromSetup">) => `${fieldObjectId(f)}#${f.path}`;

const nodeName = (node: KubeObject) => node.metadata?.name ?? "";
const applies = (entry: { node?: string }, node: KubeObject) =>
  entry.node === undefined || entry.node === nodeName(node);
export const taintsOf = (node: KubeObject) => (node.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
const unschedulableOf = (node: KubeObject) =>
  (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;

/** The state reset restores, read from the cluster before start changes it. */
export function recordBefore(
  plan: CleanupPlan,
  nodes: KubeObject[],
  files: (string | undefined)[],
  fieldObjects: (KubeObject | undefined)[] = [],
  services: (ServiceState | undefined)[] = [],
): BeforeStart {
  const record: BeforeStart = {
    files: plan.nodeFiles.map(({ node, path }, i) => ({ node, path, content: files[i] })),
    fields: plan.fields.map((f, i) => ({ key: fieldKey(f), value: fieldOf(fieldObjects[i], f.path) })),
    nodes: {},
    services: plan.services.flatMap((unit, i) => {
      const state = services[i];
      if (!state) return [];
      const nodeReady = isReady(nodes.find((n) => nodeName(n) === unit.node));
      return [{ ...unit, active: isActive(state), enabled: isEnabled(state), nodeReady }];
    }),
  };
  for (const node of nodes) {
    const labels = plan.nodeLabels.filter((l) => applies(l, node)).map((l) => l.key);
    const taintKeys = plan.nodeTaints.filter((t) => applies(t, node)).map((t) => t.key);
    const cordoned = plan.cordons.some((c) => applies(c, node));
    if (labels.length === 0 && taintKeys.length === 0 && !cordoned) continue;
    record.nodes[nodeName(node)] = {
      labels: Object.fromEntries(labels.map((key) => [key, node.metadata?.labels?.[key] ?? null])),
      taints: taintsOf(node)
        .filter((t) => taintKeys.includes(t.key))
        .map(({ key, value, effect }) => ({ key, value, effect })),
      ...(cordoned ? { unschedulable: unschedulableOf(node) } : {}),
    };
  }
  return record;
}

/** What the cluster looks like now, as far as the plan is concerned. */
export interface Observed {
  nodes: KubeObject[];
  /** Content of each plan.nodeFiles entry, in order (undefined: absent). */
  files: (string | undefined)[];
  /** Whether each plan.nodeFolders entry exists, in order (not read: none is planned, or no node access). */
  folders?: boolean[];
  /** What exists of each plan.objects entry, in order. */
  objects: KubeObject[][];
  /** The task namespace, when it exists. */
  namespace?: KubeObject;
  /** Objects inside the namespace, without what Kubernetes puts in every namespace. */
  contents: KubeObject[];
  /** Every PersistentVolume: those of the namespace's claims with reclaim Delete go when their claims go. */
  volumes: KubeObject[];
  /** The object of each plan.fields entry, in order (undefined: absent). */
  fieldObjects: (KubeObject | undefined)[];
  /** The state of each plan.services entry, in order (undefined: not read, no node access). */
  services?: (ServiceState | undefined)[];
}

export type CleanupAction =
  | { do: "write-file"; node: string; path: string; content: string }
  | { do: "remove-file"; node: string; path: string }
  | { do: "patch-node"; node: string; patch: object; what: string[] }
  | { do: "delete"; apiVersion: string; kind: string; namespace?: string; name: string }
  | {
      do: "empty-namespace";
      namespace: string;
      kinds: { apiVersion: string; kind: string; names: string[] }[];
    }
  | { do: "patch-namespace"; namespace: string; patch: object; what: string[] }
  | {
      do: "patch-object";
      apiVersion: string;
      kind: string;
      namespace?: string;
      name: string;
      patch: object;
      what: string[];
    }
  /** Nothing to do but wait: the provisioner deletes these once their claims are gone. */
  | { do: "await-volumes"; names: string[] }
  | { do: "systemctl"; node: string; unit: string; commands: string[][]; what: string[] }
  /** Nothing to do but wait: a node whose kubelet or runtime runs again reports Ready within seconds. */
  | { do: "await-node-ready"; node: string; unit: string };

/**
 * What reset still has to do to bring the cluster back to `before` (no record:
 * what the plan names is removed). Empty when reset is done: that is verify's test.
 */
export function resetActions(
  plan: CleanupPlan,
  before: BeforeStart | undefined,
  now: Observed,
): CleanupAction[] {
  const actions: CleanupAction[] = [];
  plan.nodeFiles.forEach(({ node, path, fromSetup }, i) => {
    const recorded = before?.files.find((f) => f.node === node && f.path === path);
    if (!recorded && fromSetup) return;
    const want = recorded?.content;
    if (now.files[i] === want) return;
    actions.push(
      want === undefined
        ? { do: "remove-file", node, path }
        : { do: "write-file", node, path, content: want },
    );
  });
  plan.nodeFolders.forEach(({ node, path }, i) => {
    if (now.folders?.[i]) actions.push({ do: "remove-file", node, path });
  });
  // Without a record (a first start, or a namespace deleted by hand) a node's labels, taints
  // and cordon are left as they are: the node may have had them before (a control-plane taint
  // that a task names in cleanup, so that a learner who removes it gets it back).
  for (const node of before ? now.nodes : []) {
    const action = nodeRestore(plan, before?.nodes[nodeName(node)], node);
    if (action) actions.push(action);
  }
  actions.push(...fieldRestores(plan, before, now));
  actions.push(...serviceRestores(plan, before, now));
  plan.objects.forEach(({ apiVersion, kind, namespace }, i) => {
    for (const object of now.objects[i] ?? []) {
      actions.push({ do: "delete", apiVersion, kind, namespace, name: object.metadata?.name ?? "" });
    }
  });
  if (now.namespace?.metadata?.labels?.[taskLabel] !== plan.taskId) return actions;
  const kinds = new Map<string, { apiVersion: string; kind: string; names: string[] }>();
  for (const object of now.contents) {
    const key = `${object.apiVersion}/${object.kind}`;
    const entry = kinds.get(key) ?? {
      apiVersion: object.apiVersion ?? "v1",
      kind: object.kind ?? "",
      names: [],
    };
    entry.names.push(object.metadata?.name ?? "");
    kinds.set(key, entry);
  }
  if (kinds.size > 0)
    actions.push({ do: "empty-namespace", namespace: plan.namespace, kinds: [...kinds.values()] });
  const volumes = now.volumes.filter(deletedWithClaim(plan.namespace));
  if (volumes.length > 0)
    actions.push({ do: "await-volumes", names: volumes.map((v) => v.metadata?.name ?? "") });
  const metadata = namespaceRestore(plan, now.namespace);
  if (metadata) actions.push(metadata);
  return actions;
}

function nodeRestore(
  plan: CleanupPlan,
  before: BeforeStart["nodes"][string] | undefined,
  node: KubeObject,
): CleanupAction | undefined {
  const what: string[] = [];
  const labels: Record<string, string | null> = {};
  for (const { key, fromSetup } of plan.nodeLabels.filter((l) => applies(l, node))) {
    if (fromSetup && !(before && key in before.labels)) continue;
    const want = before?.labels[key] ?? null;
    const found = node.metadata?.labels?.[key] ?? null;
    if (found === want) continue;
    labels[key] = want;
    what.push(
      `label ${key}${found === null ? " is missing" : `=${found}`}${want === null ? "" : ` (want ${want})`}`,
    );
  }
  const spec: Record<string, unknown> = {};
  const keys = plan.nodeTaints.filter((t) => applies(t, node)).map((t) => t.key);
  if (keys.length > 0) {
    const show = (taints: Taint[]) =>
      taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).sort();
    const found = taintsOf(node).filter((t) => keys.includes(t.key));
    const want = before?.taints ?? [];
    if (JSON.stringify(show(found)) !== JSON.stringify(show(want))) {
      const taints = [...taintsOf(node).filter((t) => !keys.includes(t.key)), ...want];
      spec.taints = taints.length > 0 ? taints : null;
      what.push(`taints ${show(found).join(", ") || "none"} (want ${show(want).join(", ") || "none"})`);
    }
  }
  if (plan.cordons.some((c) => applies(c, node))) {
    const want = before?.unschedulable ?? false;
    if (unschedulableOf(node) !== want) {
      spec.unschedulable = want ? true : null;
      what.push(want ? "is schedulable (want cordoned)" : "is cordoned");
    }
  }
  if (what.length === 0) return undefined;
  const patch = {
    ...(Object.keys(labels).length ? { metadata: { labels } } : {}),
    ...(Object.keys(spec).length ? { spec } : {}),
  };
  return { do: "patch-node", node: nodeName(node), patch, what };
}

/**
 * Fields back to their value before start, one merge patch per object. Without a record
 * of a field (a first start, a record older than fields) it is left as it is: its value
 * before is unknown, and it is not the task's to remove.
 */
function fieldRestores(plan: CleanupPlan, before: BeforeStart | undefined, now: Observed): CleanupAction[] {
  const patches = new Map<string, Extract<CleanupAction, { do: "patch-object" }>>();
  plan.fields.forEach((field, i) => {
    const recorded = before?.fields?.find((f) => f.key === fieldKey(field));
    const object = now.fieldObjects[i];
    if (!recorded || !object) return;
    const found = fieldOf(object, field.path);
    if (JSON.stringify(found) === JSON.stringify(recorded.value)) return;
    const id = fieldObjectId(field);
    const action = patches.get(id) ?? {
      do: "patch-object" as const,
      apiVersion: field.apiVersion,
      kind: field.kind,
      ...(field.namespace ? { namespace: field.namespace } : {}),
      name: field.name,
      patch: {},
      what: [],
    };
    setAt(action.patch as Record<string, unknown>, field.path, recorded.value ?? null);
    action.what.push(field.path);
    patches.set(id, action);
  });
  return [...patches.values()];
}

/**
 * Units back to active and enabled as before start. Without a record (a first start, a
 * namespace deleted by hand) a unit setup stopped is brought back running and enabled:
 * how every practice cluster's kubelet and containerd are, and a node left without its
 * kubelet would spoil every task after this one. Then, as before start, the node is Ready:
 * reset waits for that, so that the next task does not start on a node still NotReady
 * (whose setup would take that for its own fault).
 */
function serviceRestores(plan: CleanupPlan, before: BeforeStart | undefined, now: Observed): CleanupAction[] {
  return plan.services.flatMap(({ node, unit }, i): CleanupAction[] => {
    const state = now.services?.[i];
    if (!state) return [];
    const recorded = before?.services?.find((s) => s.node === node && s.unit === unit);
    const want = { active: recorded?.active ?? true, enabled: recorded?.enabled ?? true };
    const commands = restoreCommands(unit, state, want);
    if (commands.length === 0) {
      const wasReady = recorded?.nodeReady ?? want.active;
      const ready = isReady(now.nodes.find((n) => nodeName(n) === node));
      return wasReady && !ready ? [{ do: "await-node-ready", node, unit }] : [];
    }
    const what = [
      ...(isActive(state) === want.active
        ? []
        : [`is ${state.active} (want ${want.active ? "active" : "inactive"})`]),
      ...(isEnabled(state) === want.enabled
        ? []
        : [`is ${state.enabled} (want ${want.enabled ? "enabled" : "disabled"})`]),
    ];
    return [{ do: "systemctl", node, unit, commands, what }];
  });
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1) as string] = value;
}

/** The namespace keeps only kubedrill's labels and the before-start record. */
function namespaceRestore(plan: CleanupPlan, namespace: KubeObject | undefined): CleanupAction | undefined {
  const keep = taskLabels(plan.taskId);
  const labels = Object.keys(namespace?.metadata?.labels ?? {}).filter(
    (key) => !(key in keep) && key !== "kubernetes.io/metadata.name",
  );
  const annotations = Object.keys(namespace?.metadata?.annotations ?? {}).filter(
    (key) => key !== beforeStartAnnotation,
  );
  if (labels.length === 0 && annotations.length === 0) return undefined;
  const drop = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, null]));
  return {
    do: "patch-namespace",
    namespace: plan.namespace,
    patch: { metadata: { labels: drop(labels), annotations: drop(annotations) } },
    what: [...labels.map((k) => `label ${k}`), ...annotations.map((k) => `annotation ${k}`)],
  };
}

/** A volume of one of the namespace's claims whose reclaim policy deletes it with its claim. */
const deletedWithClaim = (namespace: string) => (volume: KubeObject) => {
  const spec = volume.spec as { claimRef?: { namespace?: string }; persistentVolumeReclaimPolicy?: string };
  return spec?.claimRef?.namespace === namespace && spec.persistentVolumeReclaimPolicy === "Delete";
};

/** One line per action, as verify reports what reset left. */
export function describeAction(action: CleanupAction): string {
  switch (action.do) {
    case "write-file":
      return `${action.node}:${action.path} differs from its content before start`;
    case "remove-file":
      return `${action.node}:${action.path} is left`;
    case "patch-node":
      return `node ${action.node}: ${action.what.join("; ")}`;
    case "delete":
      return `${action.kind} ${action.namespace ? `${action.namespace}/` : ""}${action.name} is left`;
    case "empty-namespace":
      return `namespace ${action.namespace} still holds ${action.kinds.map((k) => `${k.kind} ${k.names.join(", ")}`).join("; ")}`;
    case "patch-namespace":
      return `namespace ${action.namespace} keeps ${action.what.join(", ")}`;
    case "patch-object":
      return `${action.kind} ${action.namespace ? `${action.namespace}/` : ""}${action.name}: ${action.what.join(", ")} differ${action.what.length === 1 ? "s" : ""} from before start`;
    case "systemctl":
      return `${action.unit} on node ${action.node} ${action.what.join(" and ")}`;
    case "await-node-ready":
      return `node ${action.node} is not Ready yet (${action.unit} runs as before start)`;
    case "await-volumes":
      return `PersistentVolume ${action.names.join(", ")} of a deleted claim is not deleted yet (reclaim policy Delete)`;
  }
}
