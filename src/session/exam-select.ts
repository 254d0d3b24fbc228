import { byWeight, ckaWeights } from "../catalog/curriculum.js";
import type { Domain } from "../model/domains.js";
import { seededRandom } from "../model/random.js";

export { seededRandom };

/**
 * How many tasks each domain gets: the CKA weights, renormalised over the domains
 * that have tasks (a domain with none gives its weight to the others in
 * proportion), rounded by largest remainder. A domain that runs out of tasks is
 * capped and the rest is shared again among the others. Depends only on the
 * counts, never on the seed: every exam of a size has the same domain mix.
 */
export function apportion(available: Partial<Record<Domain, number>>, count: number): Map<Domain, number> {
  const quota = new Map<Domain, number>();
  let open = byWeight.filter((d) => (available[d] ?? 0) > 0);
  let remaining = Math.min(
    count,
    open.reduce((sum, d) => sum + (available[d] ?? 0), 0),
  );
  while (remaining > 0) {
    const shares = largestRemainder(open, remaining);
    const full = open.filter((d) => (shares.get(d) ?? 0) >= (available[d] ?? 0));
    if (full.length === 0) {
      for (const [d, n] of shares) quota.set(d, n);
      break;
    }
    for (const d of full) {
      quota.set(d, available[d] ?? 0);
      remaining -= available[d] ?? 0;
    }
    open = open.filter((d) => !full.includes(d));
  }
  return quota;
}

/** Splits n by weight; leftover seats go to the largest remainders, ties to the heavier domain. */
function largestRemainder(domains: Domain[], n: number): Map<Domain, number> {
  const total = domains.reduce((sum, d) => sum + ckaWeights[d], 0);
  const exact = domains.map((d) => ({ d, share: (n * ckaWeights[d]) / total }));
  const shares = new Map(exact.map(({ d, share }) => [d, Math.floor(share)]));
  let left = n - [...shares.values()].reduce((a, b) => a + b, 0);
  // domains come heaviest first and sort is stable, so equal remainders keep that order.
  const byRemainder = [...exact].sort((a, b) => (b.share % 1) - (a.share % 1));
  for (const { d } of byRemainder) {
    if (left-- <= 0) break;
    shares.set(d, (shares.get(d) ?? 0) + 1);
  }
  return shares;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface Selectable {
  id: string;
  domain: string;
}

/**
 * Picks `count` tasks with the domain mix of `apportion`, which tasks within a
 * domain and their order decided by the seed alone (not by catalog order), so a
 * seed always gives the same exam from the same catalog.
 */
export function selectExamTasks<T extends Selectable>(
  tasks: T[],
  options: { count: number; seed: string; domains?: readonly Domain[] },
): T[] {
  const allowed = options.domains ?? byWeight;
  const pool = [...tasks]
    .filter((t) => allowed.includes(t.domain as Domain))
    .sort((a, b) => a.id.localeCompare(b.id));
  const available: Partial<Record<Domain, number>> = {};
  for (const t of pool) available[t.domain as Domain] = (available[t.domain as Domain] ?? 0) + 1;
  const random = seededRandom(options.seed);
  const quota = apportion(available, options.count);
  const picked = byWeight.flatMap((domain) =>
    shuffle(
      pool.filter((t) => t.domain === domain),
      random,
    ).slice(0, quota.get(domain) ?? 0),
  );
  return shuffle(picked, random);
}
