import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { appendRecords, parseHistory, readHistory } from "../../../src/session/history.js";
import { historyFile } from "../../../src/session/paths.js";
import { fakeTask, graded } from "./fixtures.js";

const redis = fakeTask("pod-fix-redis-image", "troubleshooting");
const first = graded(redis);
const second = graded(redis, { passed: true });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubedrill-history-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("history", () => {
  it("skips a truncated last line (a write cut off by a crash) and keeps every record before it", () => {
    const whole = `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`;
    const torn = JSON.stringify(graded(redis)).slice(0, 37);
    const history = parseHistory(`${whole}${torn}`);
    expect(history.records).toEqual([first, second]);
    expect(history.skipped).toEqual([3]);
  });

  it("skips lines that are JSON but not a record, and blank lines", () => {
    const history = parseHistory(`${JSON.stringify(first)}\n\n{"type":"task","task":"x"}\n[1,2]\n`);
    expect(history.records).toEqual([first]);
    expect(history.skipped).toEqual([3, 4]);
  });

  it("a folder (or a file) where the history or its folder should be is a usage error with the fix", async () => {
    const folder = join(dir, "history.jsonl");
    await mkdir(folder);
    const fix = `move it aside and kubedrill starts a new history: mv ${folder} ${folder}.old`;
    for (const attempt of [() => readHistory(folder), () => appendRecords(folder, [first])]) {
      const error = await attempt().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toMatchObject({
        message: `the history ${folder} is a folder, not a history file`,
        hint: fix,
      });
    }
    const blocked = join(dir, "plain-file");
    await writeFile(blocked, "");
    const under = join(blocked, "history.jsonl");
    await expect(appendRecords(under, [first])).rejects.toThrow(
      `the history ${under} cannot be used (EEXIST)`,
    );
  });

  it("reads a missing file as an empty history", async () => {
    expect(await readHistory(join(dir, "none.jsonl"))).toEqual({ records: [], skipped: [] });
  });

  it("appends after a torn line on a fresh line, so the new record is not lost with it", async () => {
    const file = join(dir, "nested", "history.jsonl");
    await appendRecords(file, [first]);
    await writeFile(file, `${await readFile(file, "utf8")}{"type":"task","at":"20`);
    await appendRecords(file, [second]);
    const history = await readHistory(file);
    expect(history.records).toEqual([first, second]);
    expect(history.skipped).toEqual([2]);
  });

  it("only ever appends: earlier lines stay byte for byte", async () => {
    const file = join(dir, "history.jsonl");
    await appendRecords(file, [first]);
    const before = await readFile(file, "utf8");
    await appendRecords(file, [second]);
    expect((await readFile(file, "utf8")).startsWith(before)).toBe(true);
  });

  it("lives in the XDG state dir unless KUBEDRILL_HISTORY moves it", () => {
    expect(historyFile({ XDG_STATE_HOME: "/state" })).toBe("/state/kubedrill/history.jsonl");
    expect(historyFile({ XDG_STATE_HOME: "/state", KUBEDRILL_HISTORY: "/tmp/h.jsonl" })).toBe("/tmp/h.jsonl");
    expect(historyFile({ HOME: "/home/me" })).toMatch(/\.local\/state\/kubedrill\/history\.jsonl$/);
  });
});
