import { driverFor } from "../cluster/drivers/choose.js";
import { UsageError } from "../errors.js";
import { renderTaskHuman } from "../report/human.js";
import { connectOrStartLocal } from "../session/cluster.js";
import { fileHistory } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { drillOn, type PracticeIO, practice as practiseOn } from "../session/practice.js";
import { terminalPrompts } from "../session/prompts.js";
import { connectFor, loadTasks } from "./common.js";
import { progress, say, useColor } from "./io.js";
import type { CommandContext } from "./program.js";

/** The shell's code for a process ended by Ctrl+C. */
const interrupted = 130;

/** `kubedrill practice`: the interactive loop; it needs a terminal. */
export async function practice({ io, options }: CommandContext): Promise<number> {
  if (!io.stdin.isTTY || !io.stdout.isTTY) {
    throw new UsageError(
      "kubedrill practice is interactive and needs a terminal",
      "without one: kubedrill start <task>, solve it with kubectl, then kubedrill check <task> (kubedrill list shows the tasks)",
    );
  }
  const tasks = await loadTasks(options);
  const practiceIO: PracticeIO = {
    prompts: terminalPrompts,
    print: (text) => say(io, text),
    renderResult: (result) => renderTaskHuman(result, { color: useColor(io) }),
    now: Date.now,
  };
  // Through the driver, as `cluster up --driver local` does: practice knows no control plane.
  const startLocal = async () => {
    const local = driverFor("local");
    const result = await local.up((line) => progress(io, line));
    say(io, `local cluster ready (${result.detail}); context "${result.context}" is now current`);
  };
  const waiting = (_task: string, titles: string[], seconds: number) =>
    say(io, `waiting up to ${seconds}s for: ${titles.join("; ")}`);
  const connect = async () => drillOn(await connectFor(options, true), waiting);
  const end = await practiseOn(
    tasks,
    () => connectOrStartLocal(connect, startLocal, practiceIO),
    fileHistory(historyFile(io.env)),
    practiceIO,
  );
  const left = end.task
    ? `${end.task} is still set up; to clean it up: kubedrill reset ${end.task}`
    : "nothing is left set up";
  say(io, end.how === "interrupted" ? `\nInterrupted: ${left}.` : `Bye: ${left}.`);
  return end.how === "interrupted" ? interrupted : 0;
}
