// Writes tasks/task.schema.json from the zod schema; a unit test fails when it is stale.
import { writeFile } from "node:fs/promises";
import { taskJsonSchema } from "../src/catalog/schema.js";

const target = new URL("../tasks/task.schema.json", import.meta.url);
await writeFile(target, `${JSON.stringify(taskJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
