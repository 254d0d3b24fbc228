import { describe, expect, it } from "vitest";
import { rejectedManifest, stuckNamespace, waitTimedOut } from "../../src/engine/setup-errors.js";
import { ApiStatusError, ClusterError, ExitCode, SetupError } from "../../src/errors.js";

// A namespace being deleted while a ConfigMap in it keeps a finalizer, as the local cluster
// shows it (kubectl get namespace pod-run-nginx -o json, trimmed to what matters).
const terminating = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "pod-run-nginx", deletionTimestamp: "2026-11-24T09:30:00Z" },
  spec: { finalizers: ["kubernetes"] },
  status: {
    phase: "Terminating",
    conditions: [
      { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered" },
      {
        type: "NamespaceContentRemaining",
        status: "True",
        reason: "SomeResourcesRemain",
        message: "Some resources are remaining: configmaps. has 1 resource instances",
      },
      {
        type: "NamespaceFinalizersRemaining",
        status: "True",
        reason: "SomeFinalizersRemain",
        message:
          "Some content in the namespace has finalizers remaining: kubedrill.dev/test-block in 1 resource instances",
      },
    ],
  },
};

describe("setup errors", () => {
  it("a namespace whose content keeps finalizers is stuck after the grace, naming them and the fix", () => {
    expect(stuckNamespace(terminating, 2_000)).toBeUndefined();
    const error = stuckNamespace(terminating, 10_400);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error?.exitCode).toBe(ExitCode.cluster);
    expect(error?.message).toBe(
      "namespace pod-run-nginx is stuck in Terminating after 10s; what blocks it: Some resources are remaining: configmaps. has 1 resource instances; Some content in the namespace has finalizers remaining: kubedrill.dev/test-block in 1 resource instances; the namespace's own finalizers: kubernetes",
    );
    expect(error?.hint).toContain(
      "kubectl get namespace pod-run-nginx -o json | jq '.spec.finalizers=[]' | kubectl replace --raw /api/v1/namespaces/pod-run-nginx/finalize -f -",
    );
  });

  it("a namespace that is merely slow to go is waited for up to the limit, then blamed on its own finalizer", () => {
    const slow = { ...terminating, status: { phase: "Terminating" } };
    expect(stuckNamespace(slow, 60_000)).toBeUndefined();
    expect(stuckNamespace(slow, 120_000)?.message).toBe(
      "namespace pod-run-nginx is stuck in Terminating after 120s; what blocks it: the namespace's own finalizers: kubernetes",
    );
    expect(stuckNamespace(slow, 120_000)?.hint).toMatch(/^is kube-controller-manager running/);
  });

  it("a manifest the API rejects (422) is a setup error of the task, exit 2; other errors pass through", () => {
    const invalid = new ApiStatusError(
      422,
      "Invalid",
      'Pod "web" is invalid: spec.containers: Required value',
    );
    const error = rejectedManifest({ kind: "Pod", metadata: { name: "web" } }, invalid);
    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({
      exitCode: ExitCode.usage,
      message:
        'the cluster rejects the task\'s setup manifest for Pod web (422 Invalid): Pod "web" is invalid: spec.containers: Required value',
    });
    const conflict = new ApiStatusError(409, "Conflict", "conflict");
    expect(rejectedManifest({ kind: "Pod" }, conflict)).toBe(conflict);
  });

  it("a wait that never comes true says what it waited for and for how long, exit 3", () => {
    const error = waitTimedOut(
      "Pod web",
      "30s",
      "status.phase: found Pending, want Running",
      "pod-run-nginx",
    );
    expect(error).toMatchObject({
      exitCode: ExitCode.cluster,
      message:
        "setup of task pod-run-nginx waited 30s for Pod web, which did not get there: status.phase: found Pending, want Running",
    });
    expect(error.hint).toContain("kubectl -n pod-run-nginx describe Pod/web");
  });
});
