import { existsSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import type { TaskProblem } from "../errors.js";
import { knownVariables, placeholdersIn, unknownMessage } from "./placeholders.js";
import { atValueOffset } from "./scalar-position.js";
import { jsonSchemaOf, type Task } from "./schema.js";
import { at, parseYaml, readText } from "./yaml-source.js";

/**
 * proofs.yaml beside a task.yaml: solutions other than the reference one. Every correct
 * one must pass; every wrong one must fail exactly the checks it names. With the
 * reference solution they are how a task proves that its checks accept every route
 * and reject the plausible mistakes.
 */
const attempt = {
  how: z.string().min(1).describe("What this solution does differently, in a few words"),
  script: z.string().min(1).describe("A bash script, run like the task's solution ({{vars}} filled)"),
};

export const proofsSchema = z
  .strictObject({
    correct: z.array(z.strictObject(attempt)).default([]).describe("Other correct solutions: each must pass"),
    wrong: z
      .array(
        z.strictObject({
          ...attempt,
          fails: z.array(z.string().min(1)).min(1).describe("Titles of exactly the checks it must fail"),
        }),
      )
      .default([])
      .describe("Plausible mistakes: each must fail exactly the named checks"),
  })
  .describe("Other correct and wrong solutions that prove a task's checks");

export type Proofs = z.output<typeof proofsSchema>;

export function proofsJsonSchema(): object {
  return jsonSchemaOf(proofsSchema, "proofs.schema.json", "kubedrill task proofs");
}

export const proofsFile = "proofs.yaml";

/** The task's proofs.yaml, if it has one; problems are located like the task's own. */
export async function loadProofs(task: Task, dir: string): Promise<Proofs | TaskProblem[] | undefined> {
  const file = join(dir, proofsFile);
  if (!existsSync(file)) return undefined;
  const text = await readText(file);
  if (typeof text !== "string") return [text];
  const source = parseYaml(text, file);
  if (Array.isArray(source)) return source;
  const parsed = proofsSchema.safeParse(source.data ?? {});
  if (!parsed.success) {
    return parsed.error.issues.map((issue) =>
      at(
        source.where,
        issue.path.filter((p): p is string | number => typeof p !== "symbol"),
        issue.message,
      ),
    );
  }
  const titles = new Set(task.checks.map((c) => c.title));
  const unknown = parsed.data.wrong.flatMap((w, i) =>
    w.fails
      .map((title, k) => ({ title, k }))
      .filter(({ title }) => !titles.has(title))
      .map(({ title, k }) =>
        at(source.where, ["wrong", i, "fails", k], `no check of the task is titled "${title}"`),
      ),
  );
  const known = knownVariables(task);
  const unknownVars = placeholdersIn(parsed.data)
    .filter((use) => !known.has(use.name))
    .map((use) => atValueOffset(source.where, use.path, use.offset, unknownMessage(use.name, task)));
  const problems = [...unknown, ...unknownVars];
  return problems.length > 0 ? problems : parsed.data;
}
