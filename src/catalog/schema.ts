import * as z from "zod";
import { capabilityNames } from "../model/capabilities.js";
import { certificateFields } from "../model/certificate-fields.js";
import { domains } from "../model/domains.js";
import { bundleNames } from "./bundles.js";

/**
 * The task format. This zod schema is the single source: the TypeScript types
 * below and tasks/task.schema.json (for editor completion) are derived from it.
 */

const duration = z
  .string()
  .regex(/^\d+(ms|s|m)$/, "a duration such as 500ms, 30s or 2m")
  .describe("A duration: 500ms, 30s, 2m");

const name = z.string().min(1).describe("Object name; {{vars}} allowed");

const objectRef = z
  .strictObject({
    kind: z.string().min(1).describe("Kind, e.g. Pod, Deployment, Node"),
    apiVersion: z
      .string()
      .min(1)
      .optional()
      .describe("Defaults from the kind for built-in kinds, e.g. apps/v1 for Deployment"),
    name: name.optional(),
    namespace: z.string().optional().describe("Defaults to the task's namespace for namespaced kinds"),
    selector: z.string().optional().describe("Label selector, e.g. app=web,tier in (frontend)"),
    ownedBy: z
      .strictObject({ kind: z.string().min(1), name, apiVersion: z.string().min(1).optional() })
      .optional()
      .describe("Only objects this named object owns, through any chain of ownerReferences"),
    match: z
      .enum(["all", "any"])
      .optional()
      .describe("With several objects: every one must pass (all, default) or at least one (any)"),
  })
  .describe(
    "The object(s) a check reads or a step waits for: by name, by label selector, by owner, or every one of the kind",
  );

/** One object outside the task's objects, by name. */
const namedObject = z.strictObject({
  kind: z.string().min(1).describe("Kind, e.g. ConfigMap, Deployment, StorageClass"),
  apiVersion: z.string().min(1).optional().describe("Defaults from the kind for built-in kinds"),
  name,
  namespace: z.string().optional().describe("For a namespaced kind; defaults to the task's namespace"),
});

const nodePath = z
  .strictObject({
    node: name.describe("Node name, e.g. {{worker}}"),
    path: z
      .string()
      .regex(/^(\/|\{\{)/, "an absolute path, or one that starts with a {{variable}}")
      .describe("Absolute path on the node"),
  })
  .describe("A file on a node, reached through node access");

/** The node services a practice cluster's nodes have, as systemd units. */
const serviceUnits = ["kubelet", "containerd"] as const;

const nodeUnit = z
  .strictObject({
    node: name.describe("Node name, e.g. {{worker}}"),
    unit: z.enum(serviceUnits).describe("The systemd unit: kubelet or containerd"),
  })
  .describe("A service (systemd unit) on a node, reached through node access");

const manifestSource = {
  file: z.string().min(1).optional().describe("A YAML file beside task.yaml (may hold several documents)"),
  manifest: z
    .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))])
    .optional()
    .describe("Inline object(s)"),
};

export const stepSchema = z
  .union([
    z.strictObject({
      apply: z.strictObject(manifestSource).describe("Create or update objects (server-side apply)"),
    }),
    z.strictObject({ delete: objectRef.describe("Delete an object if it exists") }),
    z.strictObject({
      patch: z
        .strictObject({
          resource: namedObject,
          patch: z
            .record(z.string(), z.unknown())
            .describe("A JSON merge patch, e.g. { spec: { replicas: 0 } }; null removes a field"),
          type: z
            .enum(["merge", "strategic"])
            .optional()
            .describe(
              "merge (default): a JSON merge patch, lists replaced whole; strategic: Kubernetes' strategic merge patch, as kubectl patch makes it, where containers, env, ports… merge by name (built-in kinds only)",
            ),
        })
        .describe(
          "Change an object that is not the task's (kube-system's coredns…); reset restores every field the patch sets",
        ),
    }),
    z.strictObject({
      labelNode: z.strictObject({
        node: name,
        labels: z.record(z.string(), z.string().nullable()).describe("Labels to set; null removes a label"),
      }),
    }),
    z.strictObject({
      taintNode: z.strictObject({
        node: name,
        taints: z
          .array(
            z.strictObject({
              key: z.string().min(1),
              value: z.string().optional(),
              effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
            }),
          )
          .min(1)
          .describe("Taints to add; one with the same key and effect is replaced"),
      }),
    }),
    z.strictObject({
      cordonNode: z
        .strictObject({ node: name })
        .describe("Mark the node unschedulable, as kubectl cordon does"),
    }),
    z.strictObject({
      writeNodeFile: nodePath.extend({ content: z.string().describe("File content; {{vars}} are filled") }),
    }),
    z.strictObject({ removeNodeFile: nodePath }),
    z.strictObject({
      etcdSnapshot: nodePath.describe(
        "Save a snapshot of the cluster's etcd to this file on the control-plane node, as etcdctl snapshot save with kubeadm's etcd certificates does (needs requires: [etcdctl]); reset removes it",
      ),
    }),
    z.strictObject({
      editNodeFile: nodePath
        .extend({
          replace: z
            .array(
              z.strictObject({
                find: z.string().min(1).describe("Text the file must hold (literal, not a pattern)"),
                with: z.string().describe("What replaces every occurrence of find; {{vars}} are filled"),
              }),
            )
            .min(1)
            .describe(
              "Replacements made in order; start fails, saying what it found, when a find is missing",
            ),
        })
        .describe(
          "Change part of a node file (a kubeadm manifest whose ports differ per cluster); reset restores its content before start",
        ),
    }),
    z.strictObject({
      systemctl: nodeUnit
        .extend({
          enabled: z
            .boolean()
            .optional()
            .describe("systemctl enable (true) or disable (false) first; left as it is when not given"),
          state: z
            .enum(["started", "stopped", "restarted"])
            .describe("Then systemctl start, stop or restart: restarted makes the unit read its files again"),
        })
        .describe(
          "Run systemctl on a node, as a learner would (needs requires: [node-services]); reset puts back whether the unit was active and enabled before start",
        ),
    }),
    z.strictObject({
      install: z
        .strictObject({
          bundle: z
            .enum(bundleNames as [string, ...string[]])
            .describe("A bundle kubedrill ships (bundles/<name>/)"),
        })
        .describe(
          "Create each object of the bundle (CRDs) where the cluster has none of that name; reset removes only those it created",
        ),
    }),
    z.strictObject({
      helmInstall: z
        .strictObject({
          release: name.describe("The release name"),
          chart: z.string().min(1).describe("A chart folder beside task.yaml, e.g. chart"),
          values: z
            .record(z.string(), z.unknown())
            .optional()
            .describe("Values, as a values file would give them (helm install -f)"),
        })
        .describe(
          "Install a chart as a Helm release in the task's namespace (helm install); needs requires: [helm]. Reset removes it with the namespace's other objects",
        ),
    }),
    z.strictObject({
      copyToAnswers: z
        .strictObject({
          from: z.string().min(1).describe("A file or folder beside task.yaml, e.g. chart"),
          to: z
            .string()
            .min(1)
            .optional()
            .describe("A path inside the task's answers folder; default: the name of from"),
        })
        .describe(
          "Give the learner files to start from (a Helm chart, a manifest to fix): copied as they are, no {{vars}} filled in them, into the answers folder",
        ),
    }),
    z.strictObject({
      wait: z.strictObject({
        resource: objectRef,
        expect: z.string().min(1).describe("CEL over `object` that must become true"),
        timeout: duration.optional(),
      }),
    }),
    z.strictObject({
      waitApiServer: z
        .strictObject({
          ready: z.boolean().describe("true: until /readyz answers ok; false: until it does not"),
          timeout: duration.optional(),
        })
        .describe(
          "Waits on the API server's /readyz, e.g. after an editNodeFile that breaks its manifest, so that the old one is gone before the learner (or verify) checks",
        ),
    }),
  ])
  .describe("A setup step: declarative, no shell");

const contentChecks = {
  equals: z.string().optional().describe("The content, trimmed, must equal this (after filling {{vars}})"),
  pattern: z.string().optional().describe("A regular expression the content must match"),
  notPattern: z.string().optional().describe("A regular expression the content must not match"),
};

// Who is asked about: a ServiceAccount (in the task's namespace unless given), a user, or a group.
const subject = z
  .union([
    z.strictObject({
      serviceAccount: name,
      namespace: z.string().optional().describe("Defaults to the task's namespace"),
    }),
    z.strictObject({
      user: name,
      groups: z.array(z.string().min(1)).optional().describe("Groups the user is in"),
    }),
    z.strictObject({ group: name }),
  ])
  .describe("The subject: { serviceAccount }, { user, groups } or { group }");

const accessSpec = z
  .strictObject({
    as: subject,
    can: z.array(z.string().min(1)).min(1).describe("Verbs, e.g. [get, list, watch]"),
    resource: z
      .string()
      .min(1)
      .describe(
        "pods, apps/deployments, deployments/scale (group/resource/subresource; group from the name)",
      ),
    namespace: z
      .string()
      .optional()
      .describe('Defaults to the task\'s namespace; "" asks about the whole cluster'),
    name: name.optional().describe("One object by name; default: any object"),
    allowed: z.boolean().default(true).describe("The answer wanted for every verb (default true)"),
  })
  .describe("Asked of the API server (SubjectAccessReview): may this subject do these verbs?");

const checkBase = {
  title: z.string().min(1).describe("What the check proves, as a sentence the learner reads"),
  points: z.number().int().positive().default(1).describe("Points earned when the check passes"),
  within: duration
    .optional()
    .describe(
      "Read again while what it grades is settling (changed less than this long ago), at most this long",
    ),
  passesUnsolved: z
    .boolean()
    .optional()
    .describe("This check legitimately passes before the task is solved (verify then allows it)"),
  match: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Partial object the actual object must contain; lists of named items match by name"),
  lists: z
    .enum(["contain", "exact"])
    .optional()
    .describe(
      "How lists in `match` compare: `contain` (default: each wanted item is in some actual item) or `exact` (the same items one to one, in any order, nothing extra)",
    ),
  expect: z
    .string()
    .min(1)
    .optional()
    .describe("CEL expression over `object` (and `objects`, `vars`) that must be true"),
};

export const checkSchema = z
  .union([
    z.strictObject({
      ...checkBase,
      resource: objectRef,
      absent: z.boolean().optional().describe("Passes when no such object exists"),
    }),
    z.strictObject({
      ...checkBase,
      file: z
        .string()
        .min(1)
        .describe(
          "Answer file name under <answers>/<task-id>/; with match/expect it is parsed as a manifest",
        ),
      format: z
        .enum(["time"])
        .optional()
        .describe(
          "time: the answer is a point in time (RFC 3339, openssl's `notAfter=Dec  5 23:30:24 2027 GMT`, kubeadm's `Dec 05, 2027 23:30 UTC`); equals compares instants, at the answer's precision",
        ),
      ...contentChecks,
    }),
    z.strictObject({
      ...checkBase,
      nodeFile: nodePath,
      format: z
        .enum(["etcd-snapshot", "toml"])
        .optional()
        .describe(
          "etcd-snapshot: the file must be an etcd snapshot as `etcdctl snapshot save` writes it (a bbolt database and its SHA-256); equals and the patterns then apply to its keys, one a line. toml: match/expect grade the file parsed as TOML 1.0, and a file TOML rejects fails. Without format, match/expect grade it parsed as a YAML manifest.",
        ),
      ...contentChecks,
    }),
    z.strictObject({
      title: checkBase.title,
      points: checkBase.points,
      within: checkBase.within,
      passesUnsolved: checkBase.passesUnsolved,
      access: accessSpec,
    }),
    z.strictObject({
      title: checkBase.title,
      points: checkBase.points,
      within: checkBase.within,
      passesUnsolved: checkBase.passesUnsolved,
      apiServer: z
        .literal("ready")
        .describe(
          "ready: the API server answers ok on /readyz (within: asked again until then). While it does not answer, the task's other checks fail with that reason instead of stopping grading",
        ),
    }),
    z.strictObject({
      title: checkBase.title,
      points: checkBase.points,
      within: checkBase.within,
      passesUnsolved: checkBase.passesUnsolved,
      nodeService: nodeUnit,
      active: z.boolean().optional().describe("systemctl is-active must say active (true) or not (false)"),
      enabled: z.boolean().optional().describe("systemctl is-enabled must say enabled (true) or not (false)"),
    }),
  ])
  .describe(
    "A check: reads the cluster, an answer file, a node file or a node service, or asks the API server; never writes",
  );

const requirementSchema = z
  .union([
    z
      .enum(capabilityNames)
      .describe(
        "containers: containers really run (the local cluster only simulates them); " +
          "network-policy: the network plugin enforces NetworkPolicy; " +
          "node-access: kubedrill reaches node files (kind, minikube, local); " +
          "metrics-server: metrics.k8s.io answers (kubectl top); dns: cluster DNS (kube-dns) exists; " +
          "provisioner: a default StorageClass provisions volumes for claims; " +
          "logs: kubectl logs answers (real containers, or the local cluster's simulated output); " +
          "node-services: systemctl, journalctl and crictl on the nodes (kind, minikube, local); " +
          "etcdctl: etcdctl and etcdutl on the control-plane node (the local cluster's; kind and minikube have none); " +
          "api-server-down: kubedrill grades and resets the cluster while its API server does not answer (the local cluster); " +
          "helm: the helm tool is on PATH",
      ),
    z.strictObject({
      workers: z.number().int().positive().describe("At least this many Ready worker nodes"),
    }),
  ])
  .describe("A capability name, or { workers: N }");

export type Requirement = z.output<typeof requirementSchema>;

/**
 * Variables drawn per attempt: `start` draws an instance from a seed, so that what the
 * learner types changes from one attempt to the next (src/catalog/instance.ts).
 */
const drawnVariableSchemas = [
  z.strictObject({
    oneOf: z
      .array(z.union([z.string().min(1), z.number()]))
      .min(2)
      .describe(
        "One of these values (names, images, label values…); the first is the `min` instance's, the last the `max` one's",
      ),
  }),
  z.strictObject({
    range: z
      .strictObject({
        min: z.number().int(),
        max: z.number().int(),
        step: z
          .number()
          .int()
          .positive()
          .optional()
          .describe("Only every step-th number from min (default 1)"),
      })
      .describe("A whole number from min to max, both included (ports, replica counts…)"),
  }),
  z.strictObject({
    pattern: z
      .string()
      .min(1)
      .describe(
        "A text drawn to match this small regular expression: literal characters and classes with counts, e.g. web-[a-z]{3}[0-9]{1,2}",
      ),
  }),
  z.strictObject({
    node: z.literal("worker").describe("One of the cluster's worker nodes, by name"),
  }),
] as const;

const variableSchema = z
  .union([
    z.strictObject({
      nodeFile: nodePath.describe("Read this node file at start and check time"),
      pattern: z.string().min(1).describe("Regular expression; the first capture group is the value"),
      default: z
        .string()
        .optional()
        .describe(
          "The value when the file exists but the pattern finds nothing: the setting's documented default",
        ),
    }),
    z.strictObject({
      nodeFile: nodePath.describe("Read this PEM certificate on the node at start and check time"),
      certificate: z
        .enum(certificateFields)
        .describe(
          "The certificate's field: notAfter or notBefore (RFC 3339 in UTC, e.g. 2027-12-05T23:30:24Z), subject, issuer (CN=kube-apiserver), serialNumber (hex)",
        ),
    }),
    z.strictObject({
      nodeFile: nodePath.describe("This node file's modification time, at start and check time"),
      modified: z
        .literal(true)
        .describe("When the file was last written, RFC 3339 in UTC (to the second on kind and minikube)"),
    }),
    z.strictObject({
      nodeService: nodeUnit.describe(
        "When this node service last became active (systemctl start or restart), RFC 3339 in UTC; unset while it is inactive or has not been started since the node booted",
      ),
    }),
    z.strictObject({
      nodeFolder: nodePath.describe("List this folder on the node at start and check time"),
      pattern: z
        .string()
        .min(1)
        .describe(
          "Regular expression over the folder's names, sorted, one a line; the first capture group of the first match is the value",
        ),
    }),
    z.strictObject({
      resource: objectRef.describe(
        "Read this object (by name, selector or ownedBy: exactly one, unless each) at start and check time",
      ),
      field: z
        .string()
        .min(1)
        .describe("Field path, e.g. status.podIP or spec.template.spec.containers[0].image"),
      each: z
        .boolean()
        .optional()
        .describe(
          "Read the field of every selected object: the values sorted, one a line; none selected is the empty value",
        ),
      largest: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Read the field of the selected object for which this amount is greatest: a field path to a number or quantity; [*] sums over a list (containers[*].usage.memory). A tie leaves the variable unset",
        ),
    }),
    ...drawnVariableSchemas,
  ])
  .describe(
    "A variable read from the cluster (a node file's regex capture, certificate field or modification time, a node folder's file name, when a node service started, an object's field), or drawn per attempt from a seed (oneOf, range, pattern, node)",
  );

/** Cleanup of cluster-level changes a solution makes; reset restores the state before start. */
const cleanupMore = {
  objects: z
    .array(
      z.strictObject({
        kind: z.string().min(1).describe("Kind, e.g. StorageClass, ClusterRole, PersistentVolume"),
        apiVersion: z.string().min(1).optional().describe("Defaults from the kind for built-in kinds"),
        name,
        namespace: z.string().optional().describe("For a namespaced object outside the task's namespace"),
      }),
    )
    .optional()
    .describe("Objects outside the task's namespace that the solution creates; reset deletes them"),
  nodeTaints: z
    .array(z.strictObject({ node: name.optional().describe("Default: every node"), key: z.string().min(1) }))
    .optional()
    .describe("Node taints the learner adds or removes; reset restores them as they were before start"),
  cordons: z
    .array(z.strictObject({ node: name.optional().describe("Default: every node") }))
    .optional()
    .describe("Nodes the learner may cordon or drain; reset restores whether they were schedulable"),
  fields: z
    .array(
      namedObject.extend({
        paths: z
          .array(
            z.string().regex(/^[^.]+(\.[^.]+)*$/, "a dotted field path, e.g. data.Corefile or spec.replicas"),
          )
          .min(1)
          .describe("Dotted paths of the fields, e.g. data.Corefile, spec.replicas"),
      }),
    )
    .optional()
    .describe(
      "Fields of objects that are not the task's which the learner changes (kube-system's coredns…); reset restores them as they were before start",
    ),
  editedNodeFiles: z
    .array(nodePath)
    .optional()
    .describe(
      "Node files the cluster has that the learner edits (etcd's static-pod manifest): start keeps a copy on the node, and reset writes it back before anything else, without the API server",
    ),
  nodeFolders: z
    .array(nodePath)
    .optional()
    .describe(
      "Node folders the learner makes (a restored etcd data dir); reset removes them with what they hold",
    ),
  restartControlPlane: z
    .strictObject({ node: name.describe("The control-plane node, e.g. {{controlPlane}}") })
    .optional()
    .describe(
      "Reset restarts the API server, controller manager and scheduler (their static pods) after putting node files back, so that they forget what they cached: after an etcd restore their caches are ahead of etcd",
    ),
};

export const taskSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case, e.g. pod-fix-redis-image")
      .describe("Unique id; the task's folder has the same name"),
    title: z.string().min(1),
    domain: z.enum(domains).describe("CKA curriculum domain"),
    competency: z
      .string()
      .optional()
      .describe("The CKA competency the task trains: one of its domain's, as docs/catalog.md lists them"),
    difficulty: z.enum(["easy", "medium", "hard"]),
    minutes: z.number().positive().describe("Time budget, as in the exam"),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .describe("The task's namespace: start creates it, reset deletes it"),
    requires: z
      .array(requirementSchema)
      .optional()
      .describe(
        "What the cluster must offer; where it does not, `list` marks the task unavailable and grade/verify skip it",
      ),
    description: z.string().min(1).describe("Markdown shown to the learner; {{vars}} are filled"),
    vars: z
      .record(z.string(), variableSchema)
      .optional()
      .describe(
        "Extra variables besides worker, namespace, taskId, answers: read from the cluster, or drawn per attempt",
      ),
    setup: z.array(stepSchema).default([]),
    checks: z.array(checkSchema).min(1),
    cleanup: z
      .strictObject({
        nodeLabels: z
          .array(
            z.strictObject({ node: name.optional().describe("Default: every node"), key: z.string().min(1) }),
          )
          .optional()
          .describe("Node labels the learner adds; reset removes them"),
        nodeFiles: z.array(nodePath).optional().describe("Node files the learner writes; reset removes them"),
        ...cleanupMore,
      })
      .optional()
      .describe("What the learner's solution leaves outside the namespace, for reset to remove"),
    hints: z.array(z.string().min(1)).default([]),
    solution: z
      .string()
      .min(1)
      .describe("A runnable shell script (kubectl, kubedrill node …) that solves the task"),
  })
  .describe("A kubedrill task");

export type Task = z.output<typeof taskSchema>;
export type Check = z.output<typeof checkSchema>;
export type Step = z.output<typeof stepSchema>;
export type NodePath = z.output<typeof nodePath>;
export type NodeUnit = z.output<typeof nodeUnit>;
export type AccessSpec = z.output<typeof accessSpec>;

/** The JSON Schema editors use through the modeline at the top of every task.yaml (and proofs.yaml). */
export function jsonSchemaOf(schema: z.ZodType, name: string, title: string): object {
  return {
    $id: `https://kubedrill.dev/${name}`,
    title,
    ...z.toJSONSchema(schema, { io: "input", target: "draft-7" }),
  };
}

export function taskJsonSchema(): object {
  return jsonSchemaOf(taskSchema, "task.schema.json", "kubedrill task");
}
