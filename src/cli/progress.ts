import { readHistory } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { domainProgress, examSummary, weakestDomain } from "../session/progress.js";
import { renderProgress } from "../session/render.js";
import { progress as note, say } from "./io.js";
import type { CommandContext } from "./program.js";

/** `kubedrill progress`: the history by domain, and the weakest domain. */
export async function progress({ io }: CommandContext, flags: { json?: boolean }): Promise<number> {
  const file = historyFile(io.env);
  const { records, skipped } = await readHistory(file);
  if (skipped.length > 0) {
    note(io, `note: skipped ${skipped.length} damaged line(s) of ${file}: ${skipped.join(", ")}`);
  }
  const domains = domainProgress(records);
  const weakest = weakestDomain(domains);
  const exams = examSummary(records);
  if (flags.json) say(io, JSON.stringify({ history: file, domains, weakest, exams }, null, 2));
  else io.stdout.write(renderProgress(domains, weakest, exams));
  return 0;
}
