import { readHistory } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import {
  competencyProgress,
  domainProgress,
  examSummary,
  nextTasks,
  weakestDomain,
} from "../session/progress.js";
import { progressJson, renderProgress } from "../session/render.js";
import { loadTasks } from "./common.js";
import { progress as note } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill progress`: the history by domain and competency, over time, and the next three tasks. */
export async function progress({ io, options }: CommandContext, flags: { json?: boolean }): Promise<number> {
  const file = historyFile(io.env);
  const { records, skipped } = await readHistory(file);
  if (skipped.length > 0) {
    note(io, `note: skipped ${skipped.length} damaged line(s) of ${file}: ${skipped.join(", ")}`);
  }
  const catalog = await loadTasks(options);
  const domains = domainProgress(records);
  const view = {
    domains,
    competencies: competencyProgress(records, catalog),
    weakest: weakestDomain(domains),
    next: nextTasks(catalog, records),
    exams: examSummary(records),
  };
  io.stdout.write(flags.json ? progressJson(file, view) : renderProgress(view));
  return 0;
}
