import type { Command } from "commander";
import { describeTask, start } from "../engine/run.js";
import { connectFor, globals, loadTask } from "./common.js";
import { exitWith, progress } from "./output.js";

export function registerStart(program: Command): void {
  program
    .command("start <task>")
    .description("set a task up on the cluster (resets it first) and print what to do")
    .action(
      exitWith(async (id: string, _options: unknown, command: Command) => {
        const options = globals(command);
        const loaded = await loadTask(options, id);
        const target = await connectFor(options, true);
        progress(`setting up ${id} on context "${target.context}"…`);
        const vars = await start(loaded, target);
        console.log(await describeTask(loaded, target));
        console.log("");
        console.log(`Answer files go in ${vars.answers}/`);
        console.log(`When you are done: kubedrill check ${id}    To start over: kubedrill start ${id}`);
        return 0;
      }),
    );
}
