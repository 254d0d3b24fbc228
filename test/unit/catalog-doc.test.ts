import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtinTasks, loadCatalog } from "../../src/catalog/catalog.js";
import { catalogMarkdown } from "../../src/catalog/catalog-doc.js";
import { competencyIds } from "../../src/catalog/curriculum.js";
import { expressionChecker } from "../../src/engine/cel.js";

const catalog = await loadCatalog([builtinTasks], expressionChecker);

describe("docs/catalog.md", () => {
  it("is what the tasks generate (run `npm run catalog` when this fails)", async () => {
    const committed = await readFile(new URL("../../docs/catalog.md", import.meta.url), "utf8");
    expect(committed).toBe(catalogMarkdown(catalog.tasks));
  });

  it("every built-in task names a competency of its domain", () => {
    const missing = catalog.tasks
      .filter((t) => !competencyIds(t.task.domain).includes(t.task.competency ?? ""))
      .map((t) => t.task.id);
    expect(missing).toEqual([]);
  });
});
