// Reconnect delays: exponential growth with jitter, so many consoles that lose the daemon at
// once do not all come back in the same millisecond. Pure.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 10_000 };

/**
 * The wait before reconnect attempt `attempt` (0 for the first retry): the exponential ceiling
 * base * 2^attempt, capped at max, then "equal jitter" - half the ceiling fixed, half random -
 * so the wait never collapses to zero yet spreads clients apart. `random` returns [0, 1).
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
