import { describe, expect, it } from "vitest";
import { settlingWindow } from "../../src/engine/checks.js";
import { lastChange, unobservedSpec } from "../../src/engine/settling.js";
import { poll } from "../../src/model/poll.js";
import redisPod from "../fixtures/pod-redis.json" with { type: "json" };

describe("lastChange", () => {
  it("takes the newest of creation, condition transitions and container times of a real pod", () => {
    // pod-redis.json: created 09:12:41, PodReadyToStartContainers turned True at 09:12:43.
    expect(lastChange(redisPod)).toBe(Date.parse("2025-11-24T09:12:43Z"));
  });

  it("counts an edit (a field manager's write), a container start and a deletion", () => {
    const base = { metadata: { creationTimestamp: "2025-01-01T00:00:00Z" } };
    const edited = { metadata: { ...base.metadata, managedFields: [{ time: "2025-01-01T00:05:00Z" }] } };
    const started = {
      ...base,
      status: { containerStatuses: [{ state: { running: { startedAt: "2025-01-01T00:07:00Z" } } }] },
    };
    const deleting = { metadata: { ...base.metadata, deletionTimestamp: "2025-01-01T00:09:00Z" } };
    expect(lastChange(edited)).toBe(Date.parse("2025-01-01T00:05:00Z"));
    expect(lastChange(started)).toBe(Date.parse("2025-01-01T00:07:00Z"));
    expect(lastChange(deleting)).toBe(Date.parse("2025-01-01T00:09:00Z"));
  });

  it("knows nothing of an object without times (an answer file's manifest)", () => {
    expect(lastChange({ kind: "Pod", metadata: { name: "x" } })).toBeUndefined();
  });
});

describe("poll", () => {
  it("returns the first value an attempt gives, attempting again in between", async () => {
    let attempts = 0;
    const value = await poll(async () => (++attempts === 3 ? "ready" : undefined), {
      timeoutMs: 5_000,
      intervalMs: 1,
    });
    expect([value, attempts]).toEqual(["ready", 3]);
  });

  it("gives up with undefined when time is up, after at least one attempt", async () => {
    let attempts = 0;
    const value = await poll(
      async () => {
        attempts += 1;
        return undefined;
      },
      { timeoutMs: 0, intervalMs: 10 },
    );
    expect([value, attempts]).toEqual([undefined, 1]);
  });

  it("with holdMs, returns only a value every attempt gave for that long, starting over after a miss", async () => {
    // A moment's stale status (true, true), then the truth (a miss), then the settled state.
    const times: number[] = [];
    const value = await poll(
      async () => {
        times.push(Date.now());
        return times.length === 3 ? undefined : true;
      },
      { timeoutMs: 5_000, intervalMs: 10, holdMs: 40 },
    );
    expect(value).toBe(true);
    const [, , , settledFrom] = times;
    expect(times.length).toBeGreaterThan(4);
    expect((times.at(-1) as number) - (settledFrom as number)).toBeGreaterThanOrEqual(40);
  });
});

describe("unobservedSpec", () => {
  const deployment = (generation: number, observedGeneration?: number) => ({
    kind: "Deployment",
    metadata: { name: "web", generation },
    status: observedGeneration === undefined ? {} : { observedGeneration },
  });

  it("is true for a Deployment patched since its controller last looked, false once it caught up", () => {
    expect(unobservedSpec(deployment(2, 1))).toBe(true);
    expect(unobservedSpec(deployment(2, 2))).toBe(false);
  });

  it("is true for a ReplicaSet its controller has not synced yet (no status), false for kinds that never report it", () => {
    expect(unobservedSpec({ kind: "ReplicaSet", metadata: { generation: 1 }, status: {} })).toBe(true);
    expect(unobservedSpec({ kind: "ConfigMap", metadata: { name: "c" } })).toBe(false);
    expect(unobservedSpec({ kind: "Pod", metadata: { generation: 1 }, status: { phase: "Running" } })).toBe(
      false,
    );
  });
});

describe("settlingWindow", () => {
  const check = { title: "t", points: 1, within: "60s", resource: { kind: "Deployment", name: "web" } };

  it("keeps reading a check that passes on a status not yet brought up to date, until within ends", () => {
    expect(settlingWindow(check, { mismatches: [], unobserved: true }, 0, 10_000)).toBe(50_000);
    expect(settlingWindow(check, { mismatches: [] }, 0, 10_000)).toBe(0);
    expect(settlingWindow({ ...check, within: undefined }, { mismatches: [], unobserved: true }, 0, 0)).toBe(
      0,
    );
  });
});
