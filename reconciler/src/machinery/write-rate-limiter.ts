// The overall limit on API writes of the reconciler (default 50/s, burst 100): reconcile code
// awaits take() before every create, update, patch or delete, so a storm of changes (a resync of
// thousands of PVCs) cannot flood the apiserver. When the apiserver sheds load (429, Retry-After)
// pause() holds every writer off for that long, then lets them go at the steady rate.
import { setTimeout as sleep } from 'node:timers/promises';
import { fullBucket, pauseBucket, takeToken, type BucketState, type TokenBucket } from './token-bucket.ts';

/** A pause longer than this is cut to it (a misbehaving proxy must not stop the writer for hours). */
export const MAX_PAUSE_MS = 60_000;
/** The pause when a 429 carries no Retry-After. */
export const DEFAULT_PAUSE_MS = 1_000;

export const defaultWriteLimit: TokenBucket = { ratePerSecond: 50, burst: 100 };

export class WriteRateLimiter {
  #bucket: TokenBucket;
  #state: BucketState;
  #clock: () => number;
  /** Writes wait until then, also those that already hold a token (monotonic ms). */
  #pausedUntil = -Infinity;

  constructor(bucket: TokenBucket = defaultWriteLimit, clock: () => number = () => performance.now()) {
    if (!(bucket.ratePerSecond > 0) || !(bucket.burst >= 1))
      throw new Error(`invalid write rate limit: ${JSON.stringify(bucket)}`);
    this.#bucket = bucket;
    this.#clock = clock;
    this.#state = fullBucket(bucket, clock());
  }

  /** Holds every write off for `ms` (capped at MAX_PAUSE_MS), then resumes at the steady rate. */
  pause(ms: number): void {
    const pauseMs = Math.min(MAX_PAUSE_MS, Math.max(0, ms));
    const now = this.#clock();
    this.#state = pauseBucket(this.#bucket, this.#state, now, pauseMs);
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
  }

  /** Resolves when the caller may write; rejects (AbortError) if `signal` aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { state, waitMs } = takeToken(this.#bucket, this.#state, this.#clock());
    this.#state = state;
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
    // A pause that began while this caller waited holds it off too.
    for (let left = this.#pausedUntil - this.#clock(); left > 0; left = this.#pausedUntil - this.#clock())
      await sleep(left, undefined, { signal });
  }
}
