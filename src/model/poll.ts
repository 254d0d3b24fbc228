export interface PollOptions {
  /** Give up once this much time has passed since the first attempt. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs: number;
  /** Only a value every attempt returned for this long counts (0: the first value counts). */
  holdMs?: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one poller: runs attempt until it returns a value other than undefined (on every
 * attempt for `holdMs`, when given), or the time is up (then undefined). The first
 * attempt always runs, even with no time at all.
 */
export async function poll<T>(
  attempt: () => Promise<T | undefined>,
  { timeoutMs, intervalMs, holdMs = 0 }: PollOptions,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let heldSince: number | undefined;
  for (;;) {
    const value = await attempt();
    if (value === undefined) heldSince = undefined;
    else {
      heldSince ??= Date.now();
      if (Date.now() - heldSince >= holdMs) return value;
    }
    if (Date.now() + intervalMs > deadline) return undefined;
    await sleep(intervalMs);
  }
}

/** Rejects with a TimeLimitError when work takes longer than limitMs; the work itself is left to finish or hang. */
export function withinLimit<T>(work: Promise<T>, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitError(limitMs)), limitMs);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

export class TimeLimitError extends Error {
  constructor(readonly limitMs: number) {
    super(`took too long (limit ${limitMs / 1000} s)`);
  }
}
