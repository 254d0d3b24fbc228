import type { Command } from "commander";
import { describeTask } from "../engine/run.js";
import { connectFor, globals, loadTask } from "./common.js";
import { exitWith } from "./output.js";

export function registerShow(program: Command): void {
  program
    .command("show <task>")
    .description("print a task's description, time budget and points")
    .action(
      exitWith(async (id: string, _options: unknown, command: Command) => {
        const options = globals(command);
        const loaded = await loadTask(options, id);
        // Without a cluster the description is shown with its {{placeholders}}.
        const connection = await connectFor(options).catch(() => undefined);
        console.log(await describeTask(loaded, connection));
        return 0;
      }),
    );
}
