import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { proofsJsonSchema } from "../../src/catalog/proofs.js";
import { taskJsonSchema } from "../../src/catalog/schema.js";
import { expressionChecker } from "../../src/engine/cel.js";

describe("task schema", () => {
  it("tasks/task.schema.json is what the zod schema generates (run `npm run schema` when this fails)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../tasks/task.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(taskJsonSchema())));
  });

  it("tasks/proofs.schema.json is what the zod schema generates (run `npm run schema` when this fails)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../tasks/proofs.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(proofsJsonSchema())));
  });

  it("every built-in task loads, starts with the schema modeline, lives in a folder named after its id, and has proofs", async () => {
    const catalog = await loadCatalog([builtinTasks], expressionChecker);
    expect(catalog.problems).toEqual([]);
    const unproven = catalog.tasks.filter((t) => !t.proofs?.correct.length || !t.proofs.wrong.length);
    expect(unproven.map((t) => t.task.id)).toEqual([]);
    for (const loaded of catalog.tasks) {
      const text = await readFile(loaded.file, "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../task.schema.json");
      expect(loaded.dir.endsWith(`/${loaded.task.id}`)).toBe(true);
    }
    // Loading and type-checking the whole catalog; not a speed target (that is npm run bench).
  }, 60_000);
});
