import { describe, expect, it } from "vitest";
import { firstCapture, patternFound, regexProblem } from "../../src/engine/cel/regex.js";
import { celProblems, checkVariables, evaluate } from "../../src/engine/cel.js";

describe("cel › cost limit", () => {
  it("a loop nested too deep stops at the budget and fails with the reason", () => {
    const ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
    // 10^7 innermost iterations, far past the budget: without the counter this runs for minutes.
    const expr = `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, ${ten}.all(d, ${ten}.all(e, ${ten}.all(f, ${ten}.all(g, a + b + c + d + e + f + g >= 0)))))))`;
    expect(evaluate(expr, {})).toEqual({
      path: "",
      message: `CEL cost limit exceeded: ${expr} spent more than 1,000,000`,
    });
  });

  it("a loop whose every step is long (`in` over a long list) is stopped by the time backstop", () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `item-${i}`);
    // Few counted units (20,000 steps) but 400 million comparisons: the backstop ends it.
    expect(evaluate("vars.big.all(a, a in vars.big)", { vars: { big } })).toEqual({
      path: "",
      message: "CEL cost limit exceeded: vars.big.all(a, a in vars.big) ran longer than 3000 ms",
    });
  });

  it("the same loops over small lists pass", () => {
    expect(evaluate("[1, 2].all(a, [1, 2].all(b, [1, 2].all(c, a + b + c > 0)))", {})).toBe(true);
  });

  it("validate estimates nested loops over lists of unknown length and refuses them", () => {
    const [problem, ...more] = celProblems(
      "objects.all(a, objects.all(b, objects.all(c, a == b || b == c)))",
      checkVariables,
    );
    expect(more).toEqual([]);
    expect(problem?.message).toMatch(
      /^estimated cost [\d,]+ exceeds the limit of 1,000,000 \(a list of unknown length counts as 100 items; nested loops multiply\)$/,
    );
  });

  it("validate accepts two nested loops over an object's lists, as the seed tasks use", () => {
    const expr = "object.spec.containers.exists(c, has(c.ports) && c.ports.exists(p, p.containerPort == 80))";
    expect(celProblems(expr, checkVariables)).toEqual([]);
  });
});

describe("regex › RE2, linear time", () => {
  it("a pattern that backtracks exponentially in JavaScript answers at once", () => {
    const text = `${"a".repeat(100_000)}!`;
    expect(patternFound("^(a+)+$", text)).toBe(false);
    expect(evaluate("vars.text.matches('^(a+)+$')", { vars: { text } })).toMatchObject({ path: "" });
  });

  it("answer-file patterns match per line: ^ and $ at line breaks", () => {
    expect(patternFound("^image: nginx$", "kind: Pod\nimage: nginx\n")).toBe(true);
    expect(patternFound("^nginx$", "image: nginx\n")).toBe(false);
  });

  it("RE2 rejects backreferences and lookarounds, saying so", () => {
    expect(regexProblem("(a)\\1")).toBe(
      "invalid regular expression (RE2 syntax): error parsing regexp: invalid escape sequence: `\\1`",
    );
    expect(regexProblem("foo(?=bar)")).toMatch(/^invalid regular expression \(RE2 syntax\)/);
    expect(regexProblem("^nginx:1\\.2[0-9]$")).toBeUndefined();
  });
});

describe("regex › variables read from a node file", () => {
  it("take the first capture group of the first match, line by line", () => {
    const config = "apiVersion: kubelet.config.k8s.io/v1beta1\nstaticPodPath: /etc/kubernetes/manifests\n";
    expect(firstCapture("^staticPodPath: (\\S+)$", config)).toBe("/etc/kubernetes/manifests");
    expect(firstCapture("^podPath: (\\S+)$", config)).toBeUndefined();
  });
});
