// How long to wait after a failed archive attempt before the next. Every attempt makes a new
// Snapshot (and the product never deletes one), so the delay doubles up to a day: a lasting
// failure adds one snapshot a day to the volume, far from Longhorn's snapshot limit.

export interface RetryBackoff {
  /** After the first failure. */
  readonly initialMs: number;
  /** The longest delay. */
  readonly maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = Object.freeze({ initialMs: 60_000, maxMs: 24 * 3_600_000 });

/** The delay after attempt `failedAttempt` (1, 2, ...) failed: initial, doubled per attempt, capped. */
export function retryDelay(failedAttempt: number, backoff: RetryBackoff): number {
  const doublings = Math.max(0, failedAttempt - 1);
  // 2^doublings overflows to Infinity long after it passed any cap: min() handles it.
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** doublings);
}
