import { byWeight, ckaWeights, competencies } from "./curriculum.js";
import { drawnVariables } from "./instance.js";
import type { LoadedTask } from "./load.js";
import type { Requirement, Task } from "./schema.js";

function requirement(r: Requirement): string {
  return typeof r === "string" ? r : `${r.workers} workers`;
}

function points(task: Task): number {
  return task.checks.reduce((sum, c) => sum + c.points, 0);
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/**
 * docs/catalog.md, generated from the tasks so that it cannot drift: one table per
 * domain, then how many tasks train each competency of the CKA curriculum.
 */
export function catalogMarkdown(loaded: LoadedTask[]): string {
  const tasks = loaded.map((l) => l.task).sort((a, b) => a.id.localeCompare(b.id));
  const out = [
    "# The catalog",
    "",
    "Generated from `tasks/**/task.yaml` by `npm run catalog`; a unit test fails when it is stale.",
    `${tasks.length} tasks (${tasks.filter((t) => drawnVariables(t).length > 0).length} with variables drawn per attempt). Points are the sum of the task's checks; \`requires\` is what the cluster must offer; \`varies\` names what each attempt draws anew.`,
    "",
  ];
  for (const domain of byWeight) {
    const inDomain = tasks.filter((t) => t.domain === domain);
    const names: Record<string, string> = competencies[domain];
    out.push(`## ${domain} (${ckaWeights[domain]}% of the CKA, ${inDomain.length} tasks)`, "");
    if (inDomain.length > 0) {
      out.push(
        "| id | title | competency | difficulty | minutes | points | requires | varies |",
        "|---|---|---|---|---|---|---|---|",
      );
      for (const t of inDomain) {
        const needs = (t.requires ?? []).map(requirement).join(", ") || "—";
        const varies =
          drawnVariables(t)
            .map(([name]) => name)
            .join(", ") || "—";
        out.push(
          `| ${t.id} | ${cell(t.title)} | ${t.competency ?? "—"} | ${t.difficulty} | ${t.minutes} | ${points(t)} | ${needs} | ${varies} |`,
        );
      }
      out.push("");
    }
    out.push("| competency | tasks |", "|---|---|");
    for (const [id, title] of Object.entries(names)) {
      const count = inDomain.filter((t) => t.competency === id).length;
      out.push(`| ${cell(title)} (\`${id}\`) | ${count} |`);
    }
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
