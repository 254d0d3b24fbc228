import type { Command } from "commander";
import { type Capabilities, unmetRequirements } from "../engine/requires.js";
import { KubedrillError, UsageError } from "../errors.js";
import { domains } from "../model/domains.js";
import { connectFor, globals, loadTasks } from "./common.js";
import { exitWith, progress } from "./output.js";

/** What the current cluster can do, or undefined (said on stderr) when none answers: list works offline. */
async function clusterCapabilities(command: Command): Promise<Capabilities | undefined> {
  try {
    return (await connectFor(globals(command))).capabilities;
  } catch (err) {
    if (!(err instanceof KubedrillError)) throw err;
    progress(`not checking which tasks the cluster can run: ${err.message}`);
    return undefined;
  }
}

export function registerList(program: Command): void {
  program
    .command("list")
    .description("list the tasks in the catalog")
    .option("--domain <domain>", `only one domain (${domains.join(", ")})`)
    .option("--json", "print JSON")
    .action(
      exitWith(async (options: { domain?: string; json?: boolean }, command: Command) => {
        if (options.domain && !domains.includes(options.domain as (typeof domains)[number])) {
          throw new UsageError(`unknown domain "${options.domain}"`, `use one of: ${domains.join(", ")}`);
        }
        const tasks = (await loadTasks(globals(command)))
          .map((t) => t.task)
          .filter((t) => !options.domain || t.domain === options.domain);
        const capabilities = await clusterCapabilities(command);
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
        if (options.json) {
          console.log(JSON.stringify(rows, null, 2));
          return 0;
        }
        const width = Math.max(4, ...rows.map((r) => r.id.length));
        console.log(`${"TASK".padEnd(width)}  DOMAIN           LEVEL   MIN  PTS  TITLE`);
        for (const r of rows) {
          const unavailable = r.unavailable?.length
            ? `  [unavailable here: ${r.unavailable.join("; ")}]`
            : "";
          console.log(
            `${r.id.padEnd(width)}  ${r.domain.padEnd(15)}  ${r.difficulty.padEnd(6)}  ${String(r.minutes).padStart(3)}  ${String(r.points).padStart(3)}  ${r.title}${unavailable}`,
          );
        }
        const blocked = rows.filter((r) => r.unavailable?.length).length;
        if (blocked > 0) {
          progress(
            `${blocked} task(s) need what this cluster lacks; \`kubedrill doctor\` shows what it offers`,
          );
        }
        return 0;
      }),
    );
}
