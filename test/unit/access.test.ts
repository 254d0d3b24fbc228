import { describe, expect, it } from "vitest";
import type { AccessSpec } from "../../src/catalog/schema.js";
import { accessMismatches, accessRequests, parseResource } from "../../src/engine/access.js";
import { mismatchLine } from "../../src/report/reasons.js";

const spec = (over: Partial<AccessSpec> = {}): AccessSpec => ({
  as: { serviceAccount: "robot" },
  can: ["get", "list"],
  resource: "pods",
  allowed: true,
  ...over,
});

describe("access checks", () => {
  it("resources: core, group/resource, resource/subresource with its group from the name, all three", () => {
    expect(parseResource("pods")).toEqual({ group: "", resource: "pods" });
    expect(parseResource("apps/deployments")).toEqual({ group: "apps", resource: "deployments" });
    expect(parseResource("deployments/scale")).toEqual({
      group: "apps",
      resource: "deployments",
      subresource: "scale",
    });
    expect(parseResource("pods/log")).toEqual({ group: "", resource: "pods", subresource: "log" });
    expect(parseResource("networking.k8s.io/networkpolicies")).toEqual({
      group: "networking.k8s.io",
      resource: "networkpolicies",
    });
    expect(parseResource("apps/deployments/scale")).toEqual({
      group: "apps",
      resource: "deployments",
      subresource: "scale",
    });
  });

  it("a ServiceAccount without a namespace is the task's, with the groups the API server gives it", () => {
    const [get] = accessRequests(spec(), "rbac-task");
    expect(get).toEqual({
      user: "system:serviceaccount:rbac-task:robot",
      groups: ["system:serviceaccounts", "system:serviceaccounts:rbac-task", "system:authenticated"],
      verb: "get",
      group: "",
      resource: "pods",
      namespace: "rbac-task",
    });
  });

  it('one request per verb; namespace "" asks cluster-wide; users and groups as given', () => {
    const requests = accessRequests(
      spec({
        as: { user: "jane", groups: ["dev"] },
        can: ["list", "watch"],
        resource: "nodes",
        namespace: "",
      }),
      "t",
    );
    expect(requests.map((r) => [r.verb, r.user, r.groups, r.namespace])).toEqual([
      ["list", "jane", ["dev", "system:authenticated"], undefined],
      ["watch", "jane", ["dev", "system:authenticated"], undefined],
    ]);
    const [group] = accessRequests(spec({ as: { group: "ops" }, name: "web" }), "t");
    expect(group).toMatchObject({ groups: ["ops", "system:authenticated"], name: "web" });
    expect(group?.user).toBeUndefined();
  });

  it("names each verb whose answer differs, with the API server's reason", () => {
    const denied = spec({ can: ["get", "create", "delete"], allowed: false });
    const answers = [
      { allowed: false },
      {
        allowed: true,
        reason: 'RBAC: allowed by RoleBinding "all/t" of Role "all" to ServiceAccount "robot/t"',
      },
      { allowed: true },
    ];
    expect(accessMismatches(denied, answers, "t").map(mismatchLine)).toEqual([
      'create pods in namespace t: found allowed, want denied (RBAC: allowed by RoleBinding "all/t" of Role "all" to ServiceAccount "robot/t")',
      "delete pods in namespace t: found allowed, want denied",
    ]);
    expect(accessMismatches(spec(), [{ allowed: true }, { allowed: true }], "t")).toEqual([]);
  });
});
