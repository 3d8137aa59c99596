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

/** Takes one token: the new state, and how long the caller must wait before acting. */
export function takeToken(bucket: TokenBucket, state: BucketState, nowMs: number): { state: BucketState; waitMs: number } {
  const elapsedMs = Math.max(0, nowMs - state.at);
  const refilled = Math.min(bucket.burst, state.tokens + (elapsedMs * bucket.ratePerSecond) / 1000);
  const tokens = refilled - 1;
  const waitMs = tokens >= 0 ? 0 : (-tokens * 1000) / bucket.ratePerSecond;
  return { state: { tokens, at: nowMs }, waitMs };
}
