import { describe, expect, it } from "vitest";
import { completePattern, failPattern } from "../../src/cluster/local/images.js";

// Which container commands the local cluster makes fail (command and args joined by
// spaces, as the kwok stages' jq and templates join them). JavaScript's RegExp reads
// this RE2 pattern the same way.
const fails = (...argv: string[]) => new RegExp(failPattern).test(argv.join(" "));
const completes = (...argv: string[]) => new RegExp(completePattern).test(argv.join(" "));

describe("failing and completing container commands", () => {
  it("fails `false` and scripts whose last statement is `false` or a non-zero exit", () => {
    expect(fails("false")).toBe(true);
    expect(fails("/bin/false")).toBe(true);
    expect(fails("sh", "-c", "exit 1")).toBe(true);
    expect(fails("/bin/sh", "-c", "echo starting; exit 3")).toBe(true);
    expect(fails("bash", "-c", "echo oops && false")).toBe(true);
    expect(fails("sh", "-ec", "exit 42;")).toBe(true);
    expect(fails("sh", "-e", "-c", "exit 42;")).toBe(true);
  });

  it("runs everything else: servers, sleeps, exit 0, and exits that are not last", () => {
    expect(fails("sleep", "3600")).toBe(false);
    expect(fails("sh", "-c", "exit 0")).toBe(false);
    expect(fails("sh", "-c", "echo ready > /work/ready; sleep 3600")).toBe(false);
    expect(fails("sh", "-c", "false || sleep 3600")).toBe(false);
    expect(fails("sh", "-c", "test -f /x || exit 1; sleep 3600")).toBe(false);
    expect(fails("echo", "false")).toBe(false);
    expect(fails()).toBe(false);
  });

  it("completes `true`, `echo` and scripts ending in one or in `exit 0`, not long-running ones", () => {
    expect(completes("true")).toBe(true);
    expect(completes("echo", "report", "done")).toBe(true);
    expect(completes("sh", "-c", "echo report done")).toBe(true);
    expect(completes("sh", "-c", "date; exit 0")).toBe(true);
    expect(completes("sh", "-c", "echo ready > /work/ready; sleep 3600")).toBe(false);
    expect(completes("sh", "-c", "while true; do echo hi; sleep 5; done")).toBe(false);
    expect(completes("sleep", "infinity")).toBe(false);
    expect(completes("nginx", "-g", "daemon off;")).toBe(false);
  });
});
