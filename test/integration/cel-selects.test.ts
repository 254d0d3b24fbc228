import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/cel.js";
import { testEnv } from "./paths.js";

// selects() against the API server's own label-selector semantics: the same selectors
// in kubectl's syntax list pods through the real API, and selects() must pick the same ones.

const namespace = "cel-selects";
const kubectl = (...args: string[]) => execa("kubectl", args, { env: testEnv });

const pods: Record<string, Record<string, string>> = {
  "web-front": { app: "web", tier: "front" },
  "web-back": { app: "web", tier: "back" },
  "db-back": { app: "db", tier: "back" },
  "bare-1": {},
  "web-only": { app: "web" },
};

interface Requirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}

/** kubectl's -l form of a selector, as LabelSelectorAsSelector renders it. */
function asQuery({ matchLabels = {}, matchExpressions = [] }: Selector): string {
  const parts = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of matchExpressions) {
    if (operator === "In") parts.push(`${key} in (${values.join(",")})`);
    if (operator === "NotIn") parts.push(`${key} notin (${values.join(",")})`);
    if (operator === "Exists") parts.push(key);
    if (operator === "DoesNotExist") parts.push(`!${key}`);
  }
  return parts.join(",");
}

const selectors: Selector[] = [
  { matchLabels: { app: "web" } },
  { matchLabels: { app: "web", tier: "back" } },
  { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "edge"] }] },
  { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["back"] }] },
  { matchExpressions: [{ key: "tier", operator: "Exists" }] },
  { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] },
  { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] },
];

beforeAll(async () => {
  await kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=true");
  await kubectl("create", "namespace", namespace);
  for (const [name, labels] of Object.entries(pods)) {
    const flags = Object.keys(labels).length ? [`--labels=${asQuery({ matchLabels: labels })}`] : [];
    await kubectl("-n", namespace, "run", name, "--image=nginx:1.27", ...flags);
  }
});
afterAll(async () => {
  await kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false");
});

describe("selects() picks the pods the API server selects", () => {
  it.each(selectors.map((s) => [asQuery(s), s] as const))("%s", async (query, selector) => {
    const listed = await kubectl(
      "-n",
      namespace,
      "get",
      "pods",
      "-l",
      query,
      "-o",
      "jsonpath={.items[*].metadata.name}",
    );
    const byServer = listed.stdout.split(" ").filter(Boolean).sort();
    const bySelects = Object.entries(pods)
      .filter(
        ([, labels]) =>
          evaluate("selects(vars.selector, vars.labels)", { vars: { selector, labels } }) === true,
      )
      .map(([name]) => name)
      .sort();
    expect(bySelects).toEqual(byServer);
  });

  it("the empty selector selects every pod, as the API server lists them all", async () => {
    const listed = await kubectl("-n", namespace, "get", "pods", "-o", "jsonpath={.items[*].metadata.name}");
    const all = listed.stdout.split(" ").filter(Boolean);
    expect(all).toHaveLength(Object.keys(pods).length);
    for (const labels of Object.values(pods)) {
      expect(evaluate("selects(vars.selector, vars.labels)", { vars: { selector: {}, labels } })).toBe(true);
    }
  });
});
