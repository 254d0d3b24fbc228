// Writes tasks/task.schema.json and tasks/proofs.schema.json from the zod schemas; a unit test fails when either is stale.
import { writeFile } from "node:fs/promises";
import { proofsJsonSchema } from "../src/catalog/proofs.js";
import { taskJsonSchema } from "../src/catalog/schema.js";

for (const [name, schema] of [
  ["task.schema.json", taskJsonSchema()],
  ["proofs.schema.json", proofsJsonSchema()],
] as const) {
  const target = new URL(`../tasks/${name}`, import.meta.url);
  await writeFile(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target.pathname}`);
}
