import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { describeTask } from "../engine/run.js";
import { ExitCode, UsageError } from "../errors.js";
import type { Domain } from "../model/domains.js";
import { domains } from "../model/domains.js";
import { type Exam, examPassMark, requireExam } from "../session/exam.js";
import { renderExamResult, renderExamStarted, renderExamStatus } from "../session/exam-render.js";
import { abortExam, examTasks, startExam, submitExam } from "../session/exam-run.js";
import { examFile, historyFile } from "../session/paths.js";
import { connectFor, type GlobalOptions, globals, loadTasks } from "./common.js";
import { exitWith, progress, useColor } from "./output.js";

interface StartFlags {
  count: string;
  minutes?: string;
  seed?: string;
  domain?: string[];
}

const files = () => ({ exam: examFile(), history: historyFile() });

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

function parseDomains(values: string[] | undefined): Domain[] | undefined {
  if (!values) return undefined;
  const named = values.flatMap((v) => v.split(",")).filter(Boolean);
  const unknown = named.filter((d) => !domains.includes(d as Domain));
  if (unknown.length > 0) {
    throw new UsageError(`unknown domain "${unknown.join('", "')}"`, `use some of: ${domains.join(", ")}`);
  }
  return named as Domain[];
}

/** The running exam, its catalog (with the --tasks folders it was started with) and its cluster. */
async function current(command: Command) {
  const options = globals(command);
  const exam = await requireExam(examFile());
  const where: GlobalOptions = { ...options, tasks: exam.catalogs, context: options.context ?? exam.context };
  const catalog = await loadTasks(where);
  return { exam, catalog, where };
}

export function registerExam(program: Command): void {
  const exam = program
    .command("exam")
    .description(`a timed mock exam weighted like the CKA (pass mark ${examPassMark}%)`);
  exam
    .command("start")
    .description("pick tasks by the CKA domain weights, set them all up, and start the clock")
    .option("--count <n>", "how many tasks (at most as many as the catalog has)", "8")
    .option("--minutes <m>", "time allowed (default: the sum of the tasks' budgets)")
    .option("--seed <seed>", "repeat an earlier exam's selection")
    .option("--domain <domains...>", `only these domains (${domains.join(", ")})`)
    .action(exitWith(examStart));
  exam
    .command("status")
    .description("time left, and each task's title and points (scores come at submit)")
    .action(
      exitWith(async () => {
        process.stdout.write(renderExamStatus(await requireExam(examFile()), new Date()));
        return ExitCode.ok;
      }),
    );
  exam.command("show <n>").description("print task n of the exam").action(exitWith(examShow));
  exam
    .command("submit")
    .description(`grade every task (late or not), print the breakdown and PASS/FAIL at ${examPassMark}%`)
    .action(
      exitWith(async (_flags: unknown, command: Command) => {
        const { exam, catalog, where } = await current(command);
        progress(`grading ${exam.tasks.length} tasks on context "${where.context}"…`);
        const result = await submitExam(
          exam,
          catalog,
          await connectFor(where),
          files(),
          (task, titles, seconds) => progress(`${task}: waiting up to ${seconds}s for: ${titles.join("; ")}`),
        );
        process.stdout.write(renderExamResult(result, useColor()));
        return result.passed ? ExitCode.ok : ExitCode.belowMark;
      }),
    );
  exam
    .command("abort")
    .description("end the exam without grading and reset every task it set up")
    .action(
      exitWith(async (_flags: unknown, command: Command) => {
        const { exam, catalog, where } = await current(command);
        await abortExam(exam, catalog, await connectFor(where, true), examFile());
        console.log(`mock exam aborted; reset ${exam.tasks.map((t) => t.id).join(", ")}`);
        return ExitCode.ok;
      }),
    );
}

async function examStart(flags: StartFlags, command: Command): Promise<number> {
  const options = globals(command);
  // --tasks is the global catalog-folder option; a number there meant --count.
  const number = options.tasks.find((dir) => /^\d+$/.test(dir) && !existsSync(dir));
  if (number) {
    throw new UsageError(
      `--tasks names an extra catalog folder, and there is no folder "${number}"`,
      `for an exam of ${number} tasks: kubedrill exam start --count ${number}`,
    );
  }
  const count = positive("--count", flags.count);
  const minutes = flags.minutes === undefined ? undefined : positive("--minutes", flags.minutes);
  const catalog = await loadTasks(options);
  const target = await connectFor(options, true);
  const started: Exam = await startExam(
    catalog,
    target,
    {
      count,
      minutes,
      seed: flags.seed,
      domains: parseDomains(flags.domain),
      catalogs: options.tasks.map((dir) => resolve(dir)),
    },
    files(),
    progress,
  );
  if (started.tasks.length < count) {
    const n = started.tasks.length;
    progress(`note: only ${n} task${n === 1 ? "" : "s"} of the catalog fit this exam, not ${count}`);
  }
  process.stdout.write(renderExamStarted(started));
  return ExitCode.ok;
}

async function examShow(n: string, _flags: unknown, command: Command): Promise<number> {
  const { exam, catalog, where } = await current(command);
  const index = positive("the task number", n);
  if (index > exam.tasks.length) {
    throw new UsageError(
      `the exam has ${exam.tasks.length} tasks, not ${index}`,
      "kubedrill exam status lists them",
    );
  }
  const loaded = examTasks(exam, catalog)[index - 1];
  // Without a cluster the description is shown with its {{placeholders}}, as `show` does.
  const connection = await connectFor(where).catch(() => undefined);
  console.log(`Task ${index} of ${exam.tasks.length}\n`);
  console.log(await describeTask(loaded as NonNullable<typeof loaded>, connection));
  return ExitCode.ok;
}
