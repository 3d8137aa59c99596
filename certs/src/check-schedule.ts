// When the certificate manager looks again: exponential backoff after failures, otherwise the
// regular interval, or sooner when the serving certificate falls due for renewal before it.

/** 1st failure -> initialMs, doubling each time, never above maxMs. */
export function retryDelayMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

/** The interval, shortened to reach `renewalDueAt`; never below `minMs` (no busy loop). */
export function nextCheckDelayMs(now: Date, renewalDueAt: Date, intervalMs: number, minMs: number): number {
  return Math.max(minMs, Math.min(intervalMs, renewalDueAt.getTime() - now.getTime()));
}
