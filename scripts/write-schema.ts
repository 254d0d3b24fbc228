// Writes tasks/task.schema.json and docs/report.schema.json from their zod schemas; unit tests fail when either is stale.
import { writeFile } from "node:fs/promises";
import { taskJsonSchema } from "../src/catalog/schema.js";
import { reportJsonSchema } from "../src/report/json-schema.js";

for (const [file, schema] of [
  ["../tasks/task.schema.json", taskJsonSchema()],
  ["../docs/report.schema.json", reportJsonSchema()],
] as const) {
  const target = new URL(file, import.meta.url);
  await writeFile(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target.pathname}`);
}
