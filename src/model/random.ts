/**
 * A repeatable random sequence in [0, 1) for a seed: FNV-1a of the seed feeding
 * mulberry32. Small, fast and the same on every platform, which is all a mock exam's
 * choice of tasks or a task's drawn instance needs (nothing here is secret).
 */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (const ch of seed) state = Math.imul(state ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
