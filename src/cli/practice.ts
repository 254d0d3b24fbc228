import type { Command } from "commander";
import { localContext, up } from "../cluster/local/control-plane.js";
import { UsageError } from "../errors.js";
import { renderTaskHuman } from "../report/human.js";
import { connectOrStartLocal } from "../session/cluster.js";
import { fileHistory } from "../session/history.js";
import { historyFile } from "../session/paths.js";
import { drillOn, type PracticeIO, practice } from "../session/practice.js";
import { terminalPrompts } from "../session/prompts.js";
import { connectFor, globals, loadTasks } from "./common.js";
import { exitWith, progress, useColor } from "./output.js";

/** The shell's code for a process ended by Ctrl+C. */
const interrupted = 130;

export function registerPractice(program: Command): void {
  program
    .command("practice")
    .description("practise interactively: pick a task, solve it with kubectl, check, hint, solution, reset")
    .action(
      exitWith(async (_options: unknown, command: Command) => {
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          throw new UsageError(
            "kubedrill practice is interactive and needs a terminal",
            "without one: kubedrill start <task>, solve it with kubectl, then kubedrill check <task> (kubedrill list shows the tasks)",
          );
        }
        const options = globals(command);
        const tasks = await loadTasks(options);
        const io: PracticeIO = {
          prompts: terminalPrompts,
          print: (text) => console.log(text),
          renderResult: (result) => renderTaskHuman(result, { color: useColor() }),
          now: Date.now,
        };
        const startLocal = async () => {
          const result = await up(progress);
          console.log(`local cluster ready at ${result.server}; context "${localContext}" is now current`);
        };
        const waiting = (_task: string, titles: string[], seconds: number) =>
          console.log(`waiting up to ${seconds}s for: ${titles.join("; ")}`);
        const connect = async () => drillOn(await connectFor(options, true), waiting);
        const end = await practice(
          tasks,
          () => connectOrStartLocal(connect, startLocal, io),
          fileHistory(historyFile()),
          io,
        );
        const left = end.task
          ? `${end.task} is still set up; to clean it up: kubedrill reset ${end.task}`
          : "nothing is left set up";
        console.log(end.how === "interrupted" ? `\nInterrupted: ${left}.` : `Bye: ${left}.`);
        return end.how === "interrupted" ? interrupted : 0;
      }),
    );
}
