import type { CheckResult, GradeReport, TaskResult } from "../model/results.js";
import { checkReasons } from "./reasons.js";

type Outcome = "passed" | "failed" | "skipped";

function outcome(check: CheckResult): Outcome {
  if (check.skipped !== undefined) return "skipped";
  return check.passed ? "passed" : "failed";
}

/**
 * JUnit XML for CI test reporters (GitHub, GitLab, Jenkins): one testsuite per task, one
 * testcase per check. Ends with a newline.
 */
export function renderJunit(report: GradeReport): string {
  const checks = report.tasks.flatMap((task) => task.checks);
  const root = element("testsuites", {
    name: "kubedrill",
    tests: checks.length,
    failures: count(checks, "failed"),
    skipped: count(checks, "skipped"),
    time: seconds(report.durationMs),
  });
  const suites = report.tasks.flatMap((task) => renderSuite(task, report.startedAt));
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<${root}>`, ...suites, "</testsuites>", ""].join("\n");
}

function renderSuite(task: TaskResult, startedAt: string): string[] {
  const suite = element("testsuite", {
    name: task.id,
    tests: task.checks.length,
    failures: count(task.checks, "failed"),
    // Some reporters (Jenkins) expect errors on every suite; a check never errors, it fails.
    errors: 0,
    skipped: count(task.checks, "skipped"),
    time: seconds(task.durationMs),
    timestamp: startedAt,
  });
  const properties = Object.entries({
    title: task.title,
    domain: task.domain,
    "points.earned": task.earned,
    "points.total": task.total,
  }).map(([name, value]) => `      <${element("property", { name, value })}/>`);
  return [
    `  <${suite}>`,
    "    <properties>",
    ...properties,
    "    </properties>",
    ...task.checks.flatMap((check) => renderCase(task.id, check)),
    "  </testsuite>",
  ];
}

function renderCase(taskId: string, check: CheckResult): string[] {
  const testcase = element("testcase", {
    classname: taskId,
    name: check.title,
    time: seconds(check.durationMs),
  });
  switch (outcome(check)) {
    case "passed":
      return [`    <${testcase}/>`];
    case "skipped":
      return [
        `    <${testcase}>`,
        `      <${element("skipped", { message: check.skipped ?? "" })}/>`,
        "    </testcase>",
      ];
    case "failed": {
      const score = `${check.earned}/${check.points} points`;
      const reasons = checkReasons(check);
      const failure = element("failure", { message: reasons[0] ?? score, type: "check" });
      const body = escapeText([...reasons, failureData(check), score].join("\n"));
      return [`    <${testcase}>`, `      <${failure}>${body}</failure>`, "    </testcase>"];
    }
  }
}

/** The mismatches as JSON after the sentences (the points stay the last line), for CI tools that read the body. */
function failureData(check: CheckResult): string {
  return JSON.stringify({
    mismatches: check.mismatches,
    ...(check.error !== undefined && { error: check.error }),
  });
}

function count(checks: CheckResult[], wanted: Outcome): number {
  return checks.filter((check) => outcome(check) === wanted).length;
}

function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}

/** `name a="1" b="2"`, attributes in the given order, values escaped. */
function element(name: string, attributes: Record<string, string | number>): string {
  const rendered = Object.entries(attributes).map(
    ([key, value]) => `${key}="${escapeAttribute(String(value))}"`,
  );
  return [name, ...rendered].join(" ");
}

// Everything outside XML 1.0's Char production (control characters, lone surrogates, U+FFFE/U+FFFF)
// makes the whole document unparseable, and reasons can quote arbitrary cluster data.
const FORBIDDEN_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

function escapeText(value: string): string {
  return value.replace(FORBIDDEN_IN_XML, "").replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

// Parsers turn raw tabs and line breaks in attribute values into spaces; character references keep them.
function escapeAttribute(value: string): string {
  return escapeText(value).replace(/[\t\n\r]/g, (char) => `&#${char.charCodeAt(0)};`);
}
