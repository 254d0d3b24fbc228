import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/catalog.js";
import type { LoadedTask } from "../../src/catalog/load.js";
import { connect } from "../../src/cluster/connect.js";
import { runScript } from "../../src/cluster/shell.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { gradeTask } from "../../src/engine/grade.js";
import { reset, start, type Target } from "../../src/engine/run.js";
import { verifyTask } from "../../src/engine/verify.js";
import { checkReasons } from "../../src/report/reasons.js";
import { builtCli } from "../support/cli-main.js";
import { repoRoot } from "./paths.js";

// Access checks, object sets and ownedBy, graded by the real API server after real kubectl:
// tasks written for these tests live in test/fixtures/check-tasks, outside the catalog.

const fixtures = `${repoRoot}test/fixtures/check-tasks`;
const catalog = await loadCatalog([fixtures], expressionChecker);
const task = (id: string) => catalog.tasks.find((t) => t.task.id === id) as LoadedTask;
let target: Target;

beforeAll(async () => {
  target = await connect({ write: true });
});

afterAll(async () => {
  for (const loaded of catalog.tasks) await reset(loaded, target);
});

/** Starts the task, runs a learner's script, grades, and (after) removes what the script left outside the namespace. */
async function attempt(id: string, script: string, after = "") {
  const loaded = task(id);
  await start(loaded, target);
  const run = await runScript(script, builtCli);
  expect(run.ok, run.output).toBe(true);
  const result = await gradeTask(loaded, { cluster: target.api, nodes: target.nodes });
  if (after) await runScript(after, builtCli);
  await reset(loaded, target);
  return Object.fromEntries(result.checks.map((c) => [c.title, checkReasons(c)]));
}

it("the check tasks load without problems", () => {
  expect(catalog.problems).toEqual([]);
  expect(catalog.tasks.map((t) => t.task.id).sort()).toEqual([
    "deploy-web-owned-pods",
    "netpol-db-only-api",
    "rbac-pod-reader",
  ]);
});

describe.each(catalog.tasks.map((t) => [t.task.id, t] as const))("%s", (_id, loaded) => {
  it("fails unsolved, passes with its reference solution, and reset leaves nothing", async () => {
    const verification = await verifyTask(loaded, target, (script) => runScript(script, builtCli));
    expect(verification.problems).toEqual([]);
  });
});

describe("access checks (SubjectAccessReview)", () => {
  const passes = (reasons: Record<string, string[]>) => Object.values(reasons).every((r) => r.length === 0);

  it("a ClusterRole bound by a RoleBinding is another route that passes", async () => {
    const reasons = await attempt(
      "rbac-pod-reader",
      `kubectl create clusterrole kubedrill-test-pod-reader --verb=get,list,watch --resource=pods
kubectl -n rbac-reader create rolebinding robot --clusterrole=kubedrill-test-pod-reader --serviceaccount=rbac-reader:robot`,
      "kubectl delete clusterrole kubedrill-test-pod-reader",
    );
    expect(reasons).toEqual(Object.fromEntries(Object.keys(reasons).map((title) => [title, []])));
    expect(passes(reasons)).toBe(true);
  });

  it("a Role with wildcard verbs fails the least-privilege check, naming each verb it over-grants", async () => {
    const reasons = await attempt(
      "rbac-pod-reader",
      `kubectl -n rbac-reader create role pods-all --verb='*' --resource=pods
kubectl -n rbac-reader create rolebinding robot --role=pods-all --serviceaccount=rbac-reader:robot`,
    );
    expect(reasons["robot may get, list and watch pods in rbac-reader"]).toEqual([]);
    expect(reasons["robot may not create, change or delete pods"]).toEqual(
      ["create", "update", "patch", "delete", "deletecollection"].map(
        (verb) =>
          `${verb} pods in namespace rbac-reader: found allowed, want denied (RBAC: allowed by RoleBinding "robot/rbac-reader" of Role "pods-all" to ServiceAccount "robot/rbac-reader")`,
      ),
    );
    expect(reasons["robot may not read Secrets"]).toEqual([]);
  });

  it("cluster-admin fails every least-privilege check", async () => {
    const reasons = await attempt(
      "rbac-pod-reader",
      "kubectl create clusterrolebinding kubedrill-test-robot-admin --clusterrole=cluster-admin --serviceaccount=rbac-reader:robot",
      "kubectl delete clusterrolebinding kubedrill-test-robot-admin",
    );
    expect(reasons["robot may get, list and watch pods in rbac-reader"]).toEqual([]);
    expect(reasons["robot may not read Secrets"]).toEqual([
      'get secrets in namespace rbac-reader: found allowed, want denied (RBAC: allowed by ClusterRoleBinding "kubedrill-test-robot-admin" of ClusterRole "cluster-admin" to ServiceAccount "robot/rbac-reader")',
      'list secrets in namespace rbac-reader: found allowed, want denied (RBAC: allowed by ClusterRoleBinding "kubedrill-test-robot-admin" of ClusterRole "cluster-admin" to ServiceAccount "robot/rbac-reader")',
    ]);
    expect(reasons["robot may not list pods in the whole cluster"]).toHaveLength(1);
    expect(reasons["robot may not create, change or delete pods"]).toHaveLength(5);
  });
});

describe("a NetworkPolicy set check", () => {
  it("another correct solution passes: the legacy policy deleted and a new one written", async () => {
    const reasons = await attempt(
      "netpol-db-only-api",
      `kubectl -n netpol-db delete networkpolicy legacy-open
kubectl -n netpol-db apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]
YAML`,
    );
    expect(Object.values(reasons).flat()).toEqual([]);
  });

  it("a new policy beside the open one: 'nothing else in' fails once, naming the open policy", async () => {
    const reasons = await attempt(
      "netpol-db-only-api",
      `kubectl -n netpol-db apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]
YAML`,
    );
    expect(reasons["The api pods may reach the db pods on port 5432"]).toEqual([]);
    const nothingElse = reasons["The policies let nothing else in"] ?? [];
    expect(nothingElse).toHaveLength(1);
    expect(nothingElse[0]).toMatch(/^expect: objects\.all\(.*\) is false \(not true for legacy-open\)$/);
  });
});

describe("ownedBy", () => {
  it("selects the Deployment's pods through its ReplicaSet, whatever their labels, and not the bare pod", async () => {
    const reasons = await attempt(
      "deploy-web-owned-pods",
      `kubectl -n owned-web apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {run: frontend}}
  template:
    metadata: {labels: {run: frontend}}
    spec: {containers: [{name: www, image: "nginx:1.27"}]}
YAML
kubectl -n owned-web rollout status deployment/web --timeout=60s`,
    );
    expect(Object.values(reasons).flat()).toEqual([]);
  });

  it("pods of a Deployment with the wrong image fail, each named, and the bare pod is not among them", async () => {
    const reasons = await attempt(
      "deploy-web-owned-pods",
      "kubectl -n owned-web create deployment web --image=nginx:1.26 --replicas=2",
    );
    const images = reasons["Every pod of web runs nginx:1.27 and is Running"] ?? [];
    expect(images).toHaveLength(2);
    for (const reason of images) {
      expect(reason).toMatch(
        /^web-[a-z0-9]+-[a-z0-9]+: spec\.containers\[0\]\.image: found "nginx:1\.26", want "nginx:1\.27"$/,
      );
    }
    expect(images.join()).not.toContain("old-web");
  });
});
