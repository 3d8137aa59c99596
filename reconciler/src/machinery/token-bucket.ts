// A token bucket as a pure function: `ratePerSecond` tokens flow in up to `burst`. Taking a token
// from an empty bucket reserves a future one (tokens go negative) and says how long to wait, so
// callers are served in order without a queue (golang.org/x/time/rate's Reserve).

export interface TokenBucket {
  ratePerSecond: number;
  burst: number;
}

export interface BucketState {
  tokens: number;
  /** Monotonic milliseconds of the last update. */
  at: number;
}

export function fullBucket(bucket: TokenBucket, nowMs: number): BucketState {
  return { tokens: bucket.burst, at: nowMs };
}

/** The tokens at `nowMs`: what flowed in since the last update, up to `burst`. */
function refill(bucket: TokenBucket, state: BucketState, nowMs: number): number {
  const elapsedMs = Math.max(0, nowMs - state.at);
  return Math.min(bucket.burst, state.tokens + (elapsedMs * bucket.ratePerSecond) / 1000);
}

/**
 * Holds every taker off for `pauseMs` (the apiserver said Retry-After): the bucket goes into debt,
 * so takers wait the pause and then come at the steady rate, never in a burst.
 */
export function pauseBucket(bucket: TokenBucket, state: BucketState, nowMs: number, pauseMs: number): BucketState {
  const refilled = refill(bucket, state, nowMs);
  const debt = (pauseMs * bucket.ratePerSecond) / 1000;
  return { tokens: Math.min(refilled, 0) - debt, at: nowMs };
}

/** Takes one token: the new state, and how long the caller must wait before acting. */
export function takeToken(
  bucket: TokenBucket,
  state: BucketState,
  nowMs: number,
): { state: BucketState; waitMs: number } {
  const tokens = refill(bucket, state, nowMs) - 1;
  const waitMs = tokens >= 0 ? 0 : (-tokens * 1000) / bucket.ratePerSecond;
  return { state: { tokens, at: nowMs }, waitMs };
}
