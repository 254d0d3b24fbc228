import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { signatures } from "../../src/engine/cel/env.js";

const authoring = await readFile(new URL("../../docs/authoring.md", import.meta.url), "utf8");
const reference = authoring.slice(authoring.indexOf("## CEL function reference"));

describe("docs/authoring.md › CEL function reference", () => {
  it("names every function an expression may call beyond CEL's standard ones", async () => {
    const { celEnv } = await import("@bufbuild/cel");
    const standard = new Set([...celEnv().funcs].map((f) => f.name));
    const ours = [...signatures.global.keys(), ...signatures.method.keys()].filter(
      (name) => !standard.has(name),
    );
    expect(ours.length).toBeGreaterThan(40);
    for (const name of ours) expect(reference, name).toContain(`\`${name}`);
  });
});
