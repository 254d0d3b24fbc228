import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { describeTask } from "../engine/run.js";
import { ExitCode, UsageError } from "../errors.js";
import { type Domain, domains } from "../model/domains.js";
import { requireExam, saveExam, setFlag, taskNumber } from "../session/exam.js";
import {
  renderExamResult,
  renderExamReview,
  renderExamStarted,
  renderExamStatus,
  renderExamTask,
  renderShortfall,
} from "../session/exam-render.js";
import { loadReview } from "../session/exam-review.js";
import { abortExam, examTasks, startExam, submitExam } from "../session/exam-run.js";
import { examFile, examReviewFile, historyFile } from "../session/paths.js";
import { connectFor, loadTasks } from "./common.js";
import { type CliIO, progress, say, useColor } from "./io.js";
import type { CommandContext, GlobalOptions } from "./program.js";

export interface ExamStartFlags {
  count: string;
  minutes?: string;
  seed?: string;
  domain?: string[];
}

const files = (io: CliIO) => ({
  exam: examFile(io.env),
  review: examReviewFile(io.env),
  history: historyFile(io.env),
});

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
async function current({ io, options }: CommandContext) {
  const exam = await requireExam(examFile(io.env));
  const where: GlobalOptions = { ...options, tasks: exam.catalogs, context: options.context ?? exam.context };
  const catalog = await loadTasks(where);
  return { exam, catalog, where };
}

export async function examStart({ io, options }: CommandContext, flags: ExamStartFlags): Promise<number> {
  // --tasks is the global catalog-folder option; a number there meant --count.
  const number = options.tasks
    .map((dir) => basename(dir))
    .find((name) => /^\d+$/.test(name) && !existsSync(resolve(io.cwd, name)));
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
  const { exam, shortfall } = await startExam(
    catalog,
    target,
    { count, minutes, seed: flags.seed, domains: parseDomains(flags.domain), catalogs: options.tasks },
    files(io),
    (line) => progress(io, line),
  );
  if (shortfall) progress(io, renderShortfall(exam, shortfall));
  io.stdout.write(renderExamStarted(exam));
  return ExitCode.ok;
}

export async function examStatus({ io }: CommandContext): Promise<number> {
  io.stdout.write(renderExamStatus(await requireExam(examFile(io.env)), new Date()));
  return ExitCode.ok;
}

export async function examShow(ctx: CommandContext, n: string): Promise<number> {
  const { exam, catalog, where } = await current(ctx);
  const index = taskNumber(exam, positive("the task number", n));
  const loaded = examTasks(exam, catalog)[index - 1];
  // Without a cluster the description is shown with its {{placeholders}}, as `show` does.
  const connection = await connectFor(where).catch(() => undefined);
  say(
    ctx.io,
    renderExamTask(exam, index, await describeTask(loaded as NonNullable<typeof loaded>, connection)),
  );
  return ExitCode.ok;
}

export async function examFlag({ io }: CommandContext, n: string, flags: { off?: boolean }): Promise<number> {
  const file = examFile(io.env);
  const exam = await requireExam(file);
  const index = positive("the task number", n);
  await saveExam(file, setFlag(exam, index, !flags.off));
  say(
    io,
    flags.off
      ? `Task ${index} is no longer flagged.`
      : `Task ${index} flagged ⚑ to come back to; kubedrill exam status lists the flagged tasks.`,
  );
  return ExitCode.ok;
}

export async function examReview({ io }: CommandContext, n: string | undefined): Promise<number> {
  const review = await loadReview(examReviewFile(io.env));
  const task =
    n === undefined
      ? undefined
      : taskNumber(review.exam, positive("the task number", n), "kubedrill exam review walks them all");
  io.stdout.write(renderExamReview(review, { color: useColor(io), task }));
  return ExitCode.ok;
}

export async function examSubmit(ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const { exam, catalog, where } = await current(ctx);
  progress(io, `grading ${exam.tasks.length} tasks on context "${where.context}"…`);
  const result = await submitExam(
    exam,
    catalog,
    await connectFor(where),
    files(io),
    (task, titles, seconds) => progress(io, `${task}: waiting up to ${seconds}s for: ${titles.join("; ")}`),
  );
  io.stdout.write(renderExamResult(result));
  return result.passed ? ExitCode.ok : ExitCode.belowMark;
}

export async function examAbort(ctx: CommandContext): Promise<number> {
  const { exam, catalog, where } = await current(ctx);
  await abortExam(exam, catalog, await connectFor(where, true), examFile(ctx.io.env));
  say(ctx.io, `mock exam aborted; reset ${exam.tasks.map((t) => t.id).join(", ")}`);
  return ExitCode.ok;
}
