// Writes the JSON Schemas generated from zod (tasks, proofs, the --json report); unit tests fail when one is stale.
import { writeFile } from "node:fs/promises";
import { proofsJsonSchema } from "../src/catalog/proofs.js";
import { taskJsonSchema } from "../src/catalog/schema.js";
import { reportJsonSchema } from "../src/report/json-schema.js";

for (const [file, schema] of [
  ["../tasks/task.schema.json", taskJsonSchema()],
  ["../tasks/proofs.schema.json", proofsJsonSchema()],
  ["../docs/report.schema.json", reportJsonSchema()],
] as const) {
  const target = new URL(file, import.meta.url);
  await writeFile(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target.pathname}`);
}
