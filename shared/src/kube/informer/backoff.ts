// Exponential backoff: `initialMs` after the first failure, doubling up to `maxMs`. Jitter spreads
// retries of many clients apart (a fraction of the delay is added at random, as client-go does).

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 0 = none; 0.5 adds up to 50 % at random (never beyond maxMs). */
  jitter?: number;
}

/** The informer's retry policy: 200 ms doubling to 30 s, up to 50 % jitter. */
export const informerBackoff: BackoffPolicy = { initialMs: 200, maxMs: 30_000, jitter: 0.5 };

/** controller-runtime's per-item policy: 5 ms doubling to 1000 s, no jitter. */
export const itemBackoff: BackoffPolicy = { initialMs: 5, maxMs: 1_000_000 };

/** Delay before the next attempt after `failures` consecutive failures (0 failures: no delay). */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  // 2 ** 1023 is finite, 2 ** 1024 is Infinity: clamp the exponent before it overflows.
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 1000));
  const jitter = policy.jitter ?? 0;
  return Math.min(policy.maxMs, base + base * jitter * random());
}
