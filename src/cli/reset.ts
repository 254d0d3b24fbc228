import type { Command } from "commander";
import { reset } from "../engine/run.js";
import { UsageError } from "../errors.js";
import { connectFor, globals, loadTask, loadTasks } from "./common.js";
import { exitWith } from "./output.js";

export function registerReset(program: Command): void {
  program
    .command("reset [task]")
    .description("remove everything a task and its solution created")
    .option("--all", "reset every task in the catalog")
    .action(
      exitWith(async (id: string | undefined, flags: { all?: boolean }, command: Command) => {
        const options = globals(command);
        if (!id === !flags.all)
          throw new UsageError("name one task or pass --all", "kubedrill reset pod-run-nginx");
        const tasks = flags.all ? await loadTasks(options) : [await loadTask(options, id as string)];
        const target = await connectFor(options, true);
        for (const loaded of tasks) {
          await reset(loaded, target);
          console.log(`reset ${loaded.task.id}`);
        }
        return 0;
      }),
    );
}
