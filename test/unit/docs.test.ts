import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { checkSchema, stepSchema, taskSchema } from "../../src/catalog/schema.js";

const authoring = await readFile(new URL("../../docs/authoring.md", import.meta.url), "utf8");

/** The keys that pick a union member: `apply`, `delete`… for steps; `resource`, `file`, `nodeFile` for checks. */
function discriminators(union: typeof stepSchema | typeof checkSchema): string[] {
  return union.options.map((option) => {
    const keys = Object.keys(option.shape);
    return (
      keys.find((k) => !["title", "points", "within", "passesUnsolved", "match", "expect"].includes(k)) ?? ""
    );
  });
}

describe("docs/authoring.md", () => {
  it("documents every task field of the schema", () => {
    for (const field of Object.keys(taskSchema.shape)) expect(authoring, field).toContain(`\`${field}\``);
  });

  it("shows an example of every setup step and every kind of check", () => {
    for (const step of discriminators(stepSchema)) expect(authoring, step).toMatch(new RegExp(`- ${step}:`));
    for (const check of discriminators(checkSchema))
      expect(authoring, check).toMatch(new RegExp(`\\b${check}:`));
  });
});
