import { describe, expect, it } from "vitest";
import { byWeight } from "../../../src/catalog/curriculum.js";
import type { Domain } from "../../../src/model/domains.js";
import { apportion, seededRandom, selectExamTasks } from "../../../src/session/exam-select.js";

const seeds = Array.from({ length: 1000 }, (_, i) => `seed-${i}`);

/** n tasks per domain, ids like "troubleshooting-3". */
function catalog(perDomain: Partial<Record<Domain, number>>) {
  return byWeight.flatMap((domain) =>
    Array.from({ length: perDomain[domain] ?? 0 }, (_, i) => ({ id: `${domain}-${i}`, domain })),
  );
}

const counts = (tasks: { domain: string }[]) => {
  const out: Record<string, number> = {};
  for (const t of tasks) out[t.domain] = (out[t.domain] ?? 0) + 1;
  return out;
};

const seedCatalog = catalog({ troubleshooting: 2, architecture: 2, workloads: 5 });
const plenty = { troubleshooting: 9, architecture: 9, networking: 9, workloads: 9, storage: 9 };
/** 20 tasks by 30:25:20:15:10. */
const ckaSplitOf20 = { troubleshooting: 6, architecture: 5, networking: 4, workloads: 3, storage: 2 };
const seats = (available: Partial<Record<Domain, number>>, count: number) =>
  Object.fromEntries(apportion(available, count));

describe("apportion", () => {
  it("gives the CKA's 17 tasks 5 troubleshooting, 4 architecture, 3 networking, 3 workloads, 2 storage", () => {
    // exact shares 5.1, 4.25, 3.4, 2.55, 1.7: the two leftover seats go to the largest remainders.
    expect(seats(plenty, 17)).toEqual({
      troubleshooting: 5,
      architecture: 4,
      networking: 3,
      workloads: 3,
      storage: 2,
    });
  });

  it("splits an exam by the CKA weights when every domain has enough tasks", () => {
    expect(seats(plenty, 20)).toEqual(ckaSplitOf20);
  });

  it("gives the weight of domains without tasks to the others in proportion (30:25:15)", () => {
    expect(seats({ troubleshooting: 9, architecture: 9, workloads: 9 }, 14)).toEqual({
      troubleshooting: 6,
      architecture: 5,
      workloads: 3,
    });
  });

  it("breaks equal remainders toward the heavier domain", () => {
    // exact shares 3, 2.5, 2, 1.5, 1: the leftover seat goes to architecture, not workloads.
    expect(seats(plenty, 10)).toEqual({
      troubleshooting: 3,
      architecture: 3,
      networking: 2,
      workloads: 1,
      storage: 1,
    });
  });

  it("caps a domain at the tasks it has and shares the rest among the others", () => {
    // 6 seats by 30:25:15 would give troubleshooting 3, but it has only 2 tasks.
    expect(seats({ troubleshooting: 2, architecture: 2, workloads: 5 }, 6)).toEqual({
      troubleshooting: 2,
      architecture: 2,
      workloads: 2,
    });
    expect(seats({ troubleshooting: 2, architecture: 2, workloads: 5 }, 99)).toEqual({
      troubleshooting: 2,
      architecture: 2,
      workloads: 5,
    });
  });

  it("never exceeds a domain's tasks and always fills min(count, tasks) seats", () => {
    const random = seededRandom("shapes");
    for (let trial = 0; trial < 500; trial++) {
      const available: Partial<Record<Domain, number>> = {};
      for (const d of byWeight) available[d] = Math.floor(random() * 5);
      const total = Object.values(available).reduce((a, b) => a + b, 0);
      const count = 1 + Math.floor(random() * 15);
      const quota = apportion(available, count);
      for (const [d, n] of quota) expect(n).toBeLessThanOrEqual(available[d] ?? 0);
      expect([...quota.values()].reduce((a, b) => a + b, 0)).toBe(Math.min(count, total));
    }
  });
});

describe("selectExamTasks", () => {
  it("picks the same tasks in the same order for the same seed, whatever the catalog order", () => {
    for (const seed of seeds.slice(0, 50)) {
      const once = selectExamTasks(seedCatalog, { count: 6, seed }).map((t) => t.id);
      const reversed = selectExamTasks([...seedCatalog].reverse(), { count: 6, seed }).map((t) => t.id);
      expect(reversed).toEqual(once);
    }
  });

  it("honours the weights for every one of 1000 seeds, exactly", () => {
    const full = catalog({ troubleshooting: 8, architecture: 8, networking: 8, workloads: 8, storage: 8 });
    for (const seed of seeds) {
      expect(counts(selectExamTasks(full, { count: 20, seed }))).toEqual(ckaSplitOf20);
      expect(counts(selectExamTasks(seedCatalog, { count: 6, seed }))).toEqual({
        troubleshooting: 2,
        architecture: 2,
        workloads: 2,
      });
    }
  });

  it("varies which tasks of a domain appear, each about equally often over 1000 seeds", () => {
    const seen = new Map<string, number>();
    const exams = new Set<string>();
    for (const seed of seeds) {
      const picked = selectExamTasks(seedCatalog, { count: 6, seed });
      exams.add(picked.map((t) => t.id).join(","));
      for (const t of picked) seen.set(t.id, (seen.get(t.id) ?? 0) + 1);
    }
    // workloads gets 2 of its 5 seats: each task should appear in about 400 of 1000 exams.
    for (const id of ["workloads-0", "workloads-1", "workloads-2", "workloads-3", "workloads-4"]) {
      expect(seen.get(id)).toBeGreaterThan(320);
      expect(seen.get(id)).toBeLessThan(480);
    }
    expect(seen.get("troubleshooting-0")).toBe(1000);
    expect(exams.size).toBeGreaterThan(100);
  });

  it("mixes the domains in the exam's order instead of grouping them", () => {
    const orders = new Set(
      seeds.slice(0, 100).map((seed) => selectExamTasks(seedCatalog, { count: 6, seed })[0]?.domain),
    );
    expect(orders.size).toBe(3);
  });

  it("takes tasks only from the domains asked for, with their weights renormalised", () => {
    for (const seed of seeds.slice(0, 100)) {
      const picked = selectExamTasks(seedCatalog, { count: 5, seed, domains: ["architecture", "workloads"] });
      // 5 seats by 25:15 → 3.1 and 1.9, architecture capped at 2 → 2 and 3.
      expect(counts(picked)).toEqual({ architecture: 2, workloads: 3 });
    }
  });

  it("returns nothing when the domains asked for have no tasks", () => {
    expect(selectExamTasks(seedCatalog, { count: 5, seed: "x", domains: ["storage"] })).toEqual([]);
  });
});
