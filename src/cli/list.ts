import { type Capabilities, unmetRequirements } from "../engine/requires.js";
import { KubedrillError, UsageError } from "../errors.js";
import { domains } from "../model/domains.js";
import { connectFor, loadTasks } from "./common.js";
import { type CliIO, progress, say } from "./io.js";
import type { CommandContext, GlobalOptions } from "./program.js";

/** What the current cluster can do, or undefined (said on stderr) when none answers: list works offline. */
async function clusterCapabilities(io: CliIO, options: GlobalOptions): Promise<Capabilities | undefined> {
  try {
    return (await connectFor(options)).capabilities;
  } catch (err) {
    if (!(err instanceof KubedrillError)) throw err;
    progress(io, `not checking which tasks the cluster can run: ${err.message}`);
    return undefined;
  }
}

/** `kubedrill list`: the catalog, and which tasks the current cluster cannot run. */
export async function list(
  { io, options }: CommandContext,
  flags: { domain?: string; json?: boolean },
): Promise<number> {
  if (flags.domain && !domains.includes(flags.domain as (typeof domains)[number])) {
    throw new UsageError(`unknown domain "${flags.domain}"`, `use one of: ${domains.join(", ")}`);
  }
  const tasks = (await loadTasks(options))
    .map((t) => t.task)
    .filter((t) => !flags.domain || t.domain === flags.domain);
  const capabilities = await clusterCapabilities(io, options);
  const rows = tasks.map((t) => ({
    id: t.id,
    title: t.title,
    domain: t.domain,
    difficulty: t.difficulty,
    minutes: t.minutes,
    points: t.checks.reduce((sum, c) => sum + c.points, 0),
    requires: t.requires ?? [],
    // Absent when no cluster answered: availability is then unknown.
    unavailable: capabilities && unmetRequirements(t.requires, capabilities),
  }));
  if (flags.json) {
    say(io, JSON.stringify(rows, null, 2));
    return 0;
  }
  const width = Math.max(4, ...rows.map((r) => r.id.length));
  say(io, `${"TASK".padEnd(width)}  DOMAIN           LEVEL   MIN  PTS  TITLE`);
  for (const r of rows) {
    const unavailable = r.unavailable?.length ? `  [unavailable here: ${r.unavailable.join("; ")}]` : "";
    say(
      io,
      `${r.id.padEnd(width)}  ${r.domain.padEnd(15)}  ${r.difficulty.padEnd(6)}  ${String(r.minutes).padStart(3)}  ${String(r.points).padStart(3)}  ${r.title}${unavailable}`,
    );
  }
  const blocked = rows.filter((r) => r.unavailable?.length).length;
  if (blocked > 0) {
    progress(
      io,
      `${blocked} task(s) need what this cluster lacks; \`kubedrill doctor\` shows what it offers`,
    );
  }
  return 0;
}
