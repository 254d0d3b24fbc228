// Writes docs/catalog.md from the built-in tasks; a unit test fails when it is stale.
import { writeFile } from "node:fs/promises";
import { builtinTasks, loadCatalog } from "../src/catalog/catalog.js";
import { catalogMarkdown } from "../src/catalog/catalog-doc.js";
import { expressionChecker } from "../src/engine/cel.js";

const catalog = await loadCatalog([builtinTasks], expressionChecker);
if (catalog.problems.length > 0) throw new Error(`the catalog has problems; run kubedrill validate`);
const target = new URL("../docs/catalog.md", import.meta.url);
await writeFile(target, catalogMarkdown(catalog.tasks));
console.log(`wrote ${target.pathname}`);
