import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { celProblems, checkVariables, evaluate } from "../../src/engine/cel.js";
import { formatMismatch } from "../../src/engine/match.js";
import type { Mismatch } from "../../src/model/results.js";

// Hand-written in the shape `kubectl get pod redis -n pods-redis -o json` returns for a
// pod stuck on a wrong image (no cluster was at hand to capture one).
const pod = JSON.parse(readFileSync(new URL("../fixtures/pod-redis.json", import.meta.url), "utf8"));
const bindings = { object: pod, objects: [pod] };

describe("evaluate", () => {
  it("passes when the expression is true", () => {
    expect(evaluate('object.status.phase == "Pending"', bindings)).toBe(true);
  });

  it("a false comparison of a field to a literal reports the field path, found and want", () => {
    const failed = evaluate('object.status.phase == "Running"', bindings);
    expect(failed).toEqual({ path: "status.phase", found: "Pending", want: "Running" });
    expect(formatMismatch(failed as Mismatch)).toBe('status.phase: found "Pending", want "Running"');
  });

  it("a false != comparison reports what was found but no want", () => {
    expect(evaluate('object.status.phase != "Pending"', bindings)).toEqual({
      path: "status.phase",
      message: 'want != "Pending"',
      found: "Pending",
    });
  });

  it("compares JSON numbers with integer literals and reports them as numbers", () => {
    expect(evaluate("object.spec.containers[0].ports[0].containerPort == 6379", bindings)).toBe(true);
    expect(evaluate("object.spec.terminationGracePeriodSeconds > 10", bindings)).toBe(true);
    expect(evaluate("object.status.containerStatuses[0].restartCount >= 3", bindings)).toEqual({
      path: "status.containerStatuses[0].restartCount",
      message: "want >= 3",
      found: 0,
    });
  });

  it("reads label keys with slashes through index access", () => {
    expect(evaluate('object.metadata.labels["app.kubernetes.io/name"] == "web"', bindings)).toMatchObject({
      found: "redis",
      want: "web",
    });
  });

  it("a false comparison of a computed value to a literal names the computation, with found and want", () => {
    expect(evaluate("size(object.spec.containers) == 2", bindings)).toEqual({
      path: "size(object.spec.containers)",
      found: 1,
      want: 2,
    });
    expect(
      formatMismatch(
        evaluate('object.spec.containers[0].image.split(":")[0] != "redis123"', bindings) as Mismatch,
      ),
    ).toBe('object.spec.containers[0].image.split(":")[0]: want != "redis123" (found "redis123")');
    // With a macro on the left, its text would be the expanded loop: the expression alone is said.
    expect(evaluate('object.spec.containers.map(c, c.name) == ["web"]', bindings)).toEqual({
      path: "",
      message: 'expect: object.spec.containers.map(c, c.name) == ["web"] is false',
    });
  });

  it("a false expression that is not a simple comparison reports only the expression", () => {
    expect(evaluate('object.spec.containers.exists(c, c.image == "redis")', bindings)).toEqual({
      path: "",
      message: 'expect: object.spec.containers.exists(c, c.image == "redis") is false',
    });
  });

  it("the exists macro passes when some container matches", () => {
    expect(
      evaluate(
        'object.status.containerStatuses.exists(s, s.state.waiting.reason == "ImagePullBackOff")',
        bindings,
      ),
    ).toBe(true);
  });

  it("a non-boolean result is a mismatch naming the value", () => {
    expect(evaluate("object.status.phase", bindings)).toEqual({
      path: "",
      message: 'expression returned "Pending", not a boolean',
    });
    expect(evaluate("object.spec.containers.size()", bindings)).toEqual({
      path: "",
      message: "expression returned 1, not a boolean",
    });
  });

  it("a missing field gives a mismatch at its path instead of throwing", () => {
    expect(evaluate("object.spec.containers[0].livenessProbe.httpGet.port == 6379", bindings)).toEqual({
      path: "spec.containers[0].livenessProbe",
      message: "missing",
    });
    expect(evaluate('object.metadata.labels["tier"] == "cache"', bindings)).toEqual({
      path: "metadata.labels.tier",
      message: "missing",
    });
    expect(evaluate('object.metadata.labels["app.kubernetes.io/part-of"] == "shop"', bindings)).toEqual({
      path: 'metadata.labels["app.kubernetes.io/part-of"]',
      message: "missing",
    });
  });

  it("a missing list item gives a mismatch at its index", () => {
    expect(evaluate('object.spec.containers[1].image == "nginx"', bindings)).toEqual({
      path: "spec.containers[1]",
      message: "missing",
    });
  });

  it("has() tests presence without an error", () => {
    expect(evaluate("has(object.spec.containers[0].ports)", bindings)).toBe(true);
    expect(evaluate("has(object.spec.containers[0].livenessProbe)", bindings)).toEqual({
      path: "",
      message: "expect: has(object.spec.containers[0].livenessProbe) is false",
    });
  });

  it("other evaluation errors keep their message", () => {
    expect(evaluate("object.spec.priority / 0 == 1", { object: { spec: { priority: 0n } } })).toEqual({
      path: "",
      message: "int divide by zero",
    });
    expect(evaluate("node.status.phase == 'Ready'", bindings)).toEqual({
      path: "",
      message: "unresolved attribute",
    });
  });

  it("string extension functions are available", () => {
    expect(evaluate('object.metadata.name.upperAscii() == "REDIS"', bindings)).toBe(true);
  });

  it("a cached expression is re-evaluated against new bindings", () => {
    const expr = 'object.status.phase == "Running"';
    expect(evaluate(expr, bindings)).not.toBe(true);
    expect(evaluate(expr, { object: { ...pod, status: { phase: "Running" } } })).toBe(true);
  });

  it("a syntax error is a mismatch, not a throw", () => {
    expect(evaluate('object.status.phase = "Running"', bindings)).toEqual({
      path: "",
      message: "invalid expression: <input>:1:21: found = but expecting end of input",
    });
  });
});

describe("celProblems", () => {
  const problems = (expr: string) => celProblems(expr, checkVariables);

  it("accepts a valid expression", () => {
    expect(problems("object.spec.containers.all(c, c.image.startsWith('redis'))")).toEqual([]);
  });

  it("rejects a syntax error with the parser's located message", () => {
    expect(problems('object.status.phase = "Running"')).toEqual([
      { offset: 20, message: "CEL does not compile: <input>:1:21: found = but expecting end of input" },
    ]);
  });

  it("rejects an empty expression", () => {
    expect(problems("")).toEqual([{ offset: 0, message: "expression is empty" }]);
    expect(problems("  \n")).toEqual([{ offset: 0, message: "expression is empty" }]);
  });

  it("names an unknown function, method or macro at its offset", () => {
    expect(problems("size(object) > 0 && quantityOf('1') > 0")).toEqual([
      { offset: 20, message: "unknown function or macro 'quantityOf'" },
    ]);
    expect(problems("object.spec.containers.sortBy(c, c.name) == []")).toEqual([
      { offset: 23, message: "unknown function or macro '.sortBy'" },
    ]);
  });

  it("names an unknown variable, and knows macro and cel.bind variables", () => {
    expect(problems("object.x == self.x")).toEqual([
      { offset: 12, message: "unknown variable 'self' (known here: object, objects, vars, uids)" },
    ]);
    expect(problems("objects.exists(o, cel.bind(n, o.metadata.name, n == vars.name))")).toEqual([]);
    expect(problems("type(object.spec.replicas) == int || type(object.spec.replicas) == string")).toEqual([]);
  });

  it("says how many arguments a known function takes", () => {
    expect(problems("quantity('1', '2').sign() == 1")).toEqual([
      { offset: 0, message: "'quantity' takes 1 arguments, not 2" },
    ]);
  });

  it("rejects a literal pattern RE2 cannot run, such as a backreference", () => {
    expect(problems("object.metadata.name.matches('(a)\\\\1')")).toEqual([
      {
        offset: 29,
        message:
          "invalid regular expression (RE2 syntax): error parsing regexp: invalid escape sequence: `\\1`",
      },
    ]);
  });

  it("wants cluster reads with literal or vars arguments, so they can be made before evaluation", () => {
    expect(problems("cluster.get('ConfigMap', vars.name) != null && cluster.list('Pod').size() > 0")).toEqual(
      [],
    );
    expect(problems("cluster.get('Pod', object.metadata.name) != null")).toEqual([
      {
        offset: 19,
        message:
          "cluster.get() takes string literals or vars.NAME as arguments, so that it can be read before the expression runs",
      },
    ]);
  });
});
