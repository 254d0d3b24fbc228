import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { builtinTasks } from "../catalog/catalog.js";
import { isTaskId, scaffoldTask, schemaReference } from "../catalog/scaffold.js";
import { ExitCode, UsageError } from "../errors.js";
import { type Domain, domains } from "../model/domains.js";
import { say } from "./io.js";
import type { CommandContext } from "./program.js";

// The id also names the task's namespace, and namespace names are DNS labels.
const maxIdLength = 63;

/** `kubedrill new <id>`: scaffolds a task folder whose task.yaml passes validate. */
export async function newTask(
  { io }: CommandContext,
  id: string,
  flags: { domain: string; dir: string },
): Promise<number> {
  const domain = checkedDomain(flags.domain);
  if (!isTaskId(id) || id.length > maxIdLength) {
    throw new UsageError(
      `task id "${id}" is not kebab-case of at most ${maxIdLength} characters`,
      "use lowercase letters, digits and dashes, e.g. kubedrill new pod-fix-redis-image",
    );
  }
  const dir = resolve(io.cwd, flags.dir, domain, id);
  const fromCwd = relative(io.cwd, dir);
  const shown = fromCwd.startsWith("..") ? dir : fromCwd;
  if (existsSync(dir)) throw new UsageError(`${shown} already exists`, "pick another id, or edit that task");
  const files = scaffoldTask({
    id,
    domain,
    schema: schemaReference(dir, join(builtinTasks, "task.schema.json")),
  });
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content, { flag: "wx" });
    say(io, `created ${join(shown, name)}`);
  }
  say(io, `next: edit ${join(shown, "task.yaml")}, then kubedrill validate ${shown}`);
  return ExitCode.ok;
}

function checkedDomain(domain: string): Domain {
  if (!domains.includes(domain as Domain)) {
    throw new UsageError(`unknown domain "${domain}"`, `use one of: ${domains.join(", ")}`);
  }
  return domain as Domain;
}
