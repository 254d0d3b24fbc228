import { z } from "zod";
import { domains } from "../model/domains.js";

/**
 * The `--json` report's document, as zod: renderJson builds it, docs/report.schema.json
 * is generated from it (npm run schema), and a unit test fails when that file is stale.
 * A field added keeps the version; a field removed or changed in meaning bumps it.
 */
export const reportVersion = "kubedrill.grade/v1";

const mismatch = z
  .strictObject({
    path: z
      .string()
      .describe('Field path, list items by name: spec.containers[redis].image; "" for the whole object'),
    found: z
      .unknown()
      .optional()
      .describe("What the cluster (or file) holds; absent when the field is missing"),
    want: z.unknown().optional().describe("What the check wants"),
    message: z
      .string()
      .optional()
      .describe("Free text when found/want do not say it, e.g. Pod redis not found"),
    object: z.string().optional().describe("The object's name, when the check read several"),
    access: z
      .literal(true)
      .optional()
      .describe(
        "An access review's answer: found and want are allowed or denied, message is the API server's reason",
      ),
  })
  .describe("One way the graded object differs from what the check wants");

const check = z.strictObject({
  title: z.string(),
  points: z.number(),
  earned: z.number(),
  passed: z.boolean(),
  skipped: z.string().optional().describe("Why the check did not run here (a capability the cluster lacks)"),
  mismatches: z.array(mismatch).describe("Why it failed, as data; empty when it passed"),
  error: z
    .string()
    .optional()
    .describe("Why it could not be evaluated, e.g. the API server refused the read"),
  reasons: z.array(z.string()).describe("The mismatches and error as the terminal report says them"),
  durationMs: z.number().describe("This check's own time"),
});

const task = z.strictObject({
  id: z.string(),
  title: z.string(),
  domain: z.enum(domains),
  seed: z
    .string()
    .optional()
    .describe("The seed of the instance graded, for a task with drawn variables (start --seed repeats it)"),
  passed: z.boolean(),
  skipped: z
    .string()
    .optional()
    .describe("Why the whole task was skipped: a requirement the cluster does not meet"),
  earned: z.number(),
  total: z.number(),
  durationMs: z.number(),
  checks: z.array(check),
});

export const reportDocument = z.strictObject({
  schema: z.literal(reportVersion).describe("This document's format and version"),
  startedAt: z.string().describe("ISO 8601 time grading started"),
  context: z.string().optional().describe("The kubeconfig context graded"),
  passed: z.boolean().describe("percent reached the pass mark"),
  percent: z.number().describe("earned / total × 100, one decimal"),
  passMark: z.number(),
  earned: z.number(),
  total: z.number(),
  durationMs: z.number(),
  tasks: z.array(task),
});

export type ReportDocument = z.infer<typeof reportDocument>;

export function reportJsonSchema(): object {
  return {
    $id: "https://kubedrill.dev/report.schema.json",
    title: "kubedrill grade report (kubedrill check/grade --json)",
    ...z.toJSONSchema(reportDocument, { target: "draft-7" }),
  };
}
