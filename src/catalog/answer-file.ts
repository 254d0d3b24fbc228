import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep, win32 } from "node:path";
import { readText } from "./yaml-source.js";

/**
 * Answer files are what a learner saves under <answers>/<task-id>/. A check names one by
 * a path inside that folder and never reads anything else: a task pack graded in CI must
 * not be able to print the runner's files into a report.
 */

/** Largest answer file a check reads (1 MiB): far more than any answer, small enough to parse at once. */
export const maxAnswerBytes = 1024 * 1024;

/** Why a check's `file:` could lead outside the answers folder, or undefined when it cannot. */
export function answerPathProblem(name: string): string | undefined {
  const parts = name.split(/[\\/]/);
  if (isAbsolute(name) || posix.isAbsolute(name) || win32.isAbsolute(name) || parts.includes("..")) {
    return `answer file ${JSON.stringify(name)} must be a path inside the task's answers folder (no leading / and no ..)`;
  }
  return undefined;
}

export type AnswerRead = { content: string } | { missing: string } | { problem: string };

/** Reads an answer file, refusing paths and symlinks that leave the folder and files above the size limit. */
export async function readAnswerFile(folder: string, name: string): Promise<AnswerRead> {
  const problem = answerPathProblem(name);
  if (problem) return { problem };
  const file = join(folder, name);
  const real = await realpath(file).catch(() => undefined);
  if (!real) return { missing: `answer file ${file} not found` };
  const root = await realpath(folder || ".");
  const inside = relative(root, real);
  if (inside === "" || inside.split(sep)[0] === ".." || isAbsolute(inside)) {
    return {
      problem: `answer file ${file} leads outside the answers folder ${folder} (to ${real}); not read`,
    };
  }
  const info = await stat(real);
  if (info.size > maxAnswerBytes) {
    return {
      problem: `answer file ${file} is ${info.size} bytes; an answer file may have at most ${maxAnswerBytes} (1 MiB)`,
    };
  }
  const text = await readText(real);
  return typeof text === "string" ? { content: text } : { problem: `answer file ${file}: ${text.message}` };
}
