// The overall limit on API writes of the reconciler (default 50/s, burst 100): reconcile code
// awaits take() before every create, update, patch or delete, so a storm of changes (a resync of
// thousands of PVCs) cannot flood the apiserver.
import { setTimeout as sleep } from 'node:timers/promises';
import { fullBucket, takeToken, type BucketState, type TokenBucket } from './token-bucket.ts';

export const defaultWriteLimit: TokenBucket = { ratePerSecond: 50, burst: 100 };

export class WriteRateLimiter {
  #bucket: TokenBucket;
  #state: BucketState;
  #clock: () => number;

  constructor(bucket: TokenBucket = defaultWriteLimit, clock: () => number = () => performance.now()) {
    if (!(bucket.ratePerSecond > 0) || !(bucket.burst >= 1)) throw new Error(`invalid write rate limit: ${JSON.stringify(bucket)}`);
    this.#bucket = bucket;
    this.#clock = clock;
    this.#state = fullBucket(bucket, clock());
  }

  /** Resolves when the caller may write; rejects (AbortError) if `signal` aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { state, waitMs } = takeToken(this.#bucket, this.#state, this.#clock());
    this.#state = state;
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
  }
}
