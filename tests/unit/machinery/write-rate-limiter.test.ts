import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fullBucket,
  pauseBucket,
  takeToken,
  type BucketState,
} from '@longhorn-backup-guard/reconciler/machinery/token-bucket';
import { WriteRateLimiter } from '@longhorn-backup-guard/reconciler/machinery/write-rate-limiter';

const bucket = { ratePerSecond: 50, burst: 100 };

test('a full bucket serves its burst at once, then one token per 1/rate seconds, in order', () => {
  let state: BucketState = fullBucket(bucket, 0);
  const waits: number[] = [];
  for (let i = 0; i < 103; i++) {
    const taken = takeToken(bucket, state, 0);
    state = taken.state;
    waits.push(taken.waitMs);
  }
  assert.deepEqual(waits.slice(0, 100), Array<number>(100).fill(0));
  assert.deepEqual(
    waits.slice(100).map((w) => Math.round(w)),
    [20, 40, 60],
  );
});

test('tokens flow back with time, never above the burst', () => {
  let state: BucketState = { tokens: 0, at: 0 };
  state = takeToken(bucket, state, 1_000).state; // 50 tokens flowed in, one taken
  assert.equal(state.tokens, 49);
  state = takeToken(bucket, state, 1_000_000).state;
  assert.equal(state.tokens, bucket.burst - 1);
});

test('a reservation debt is paid back by time', () => {
  let state: BucketState = { tokens: -3, at: 0 };
  const taken = takeToken(bucket, state, 100); // +5 tokens -> 2, take one -> 1
  state = taken.state;
  assert.equal(taken.waitMs, 0);
  assert.equal(state.tokens, 1);
});

test('WriteRateLimiter.take resolves at once within the burst and waits beyond it', async () => {
  let clock = 0;
  // One token an hour: the third take's wait is far longer than any scheduling delay of a loaded
  // machine, so "still waiting" is not a race against the timer.
  const hourMs = 3_600_000;
  const limiter = new WriteRateLimiter({ ratePerSecond: 1 / 3_600, burst: 2 }, () => clock);
  await limiter.take();
  await limiter.take();
  let third = false;
  const stop = new AbortController();
  const waiting = limiter.take(stop.signal).then(() => {
    third = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(third, false, 'the third write waits for a token');
  stop.abort();
  await assert.rejects(waiting, { name: 'AbortError' }, 'a waiting take ends when its signal aborts');
  clock = 10 * hourMs; // the bucket is full again (the aborted take's reservation paid back)
  await limiter.take();
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(limiter.take(aborted.signal), { name: 'AbortError' });
  assert.throws(() => new WriteRateLimiter({ ratePerSecond: 0, burst: 1 }), /invalid write rate limit/);
});

test('a pause (Retry-After) holds every taker off for its length, then the steady rate resumes, never the burst', () => {
  const paused = pauseBucket(bucket, fullBucket(bucket, 0), 0, 2_000);
  let state = paused;
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const taken = takeToken(bucket, state, 0);
    state = taken.state;
    waits.push(Math.round(taken.waitMs));
  }
  assert.deepEqual(waits, [2_020, 2_040, 2_060], 'the full bucket is forgotten: no burst after the pause');
});

test('WriteRateLimiter.pause: a caller already waiting for its token waits for the pause too', async () => {
  let now = 0;
  const limiter = new WriteRateLimiter({ ratePerSecond: 1_000, burst: 1 }, () => now);
  await limiter.take();
  const pending = limiter.take(); // waits 1 ms for its token
  limiter.pause(50);
  let done = false;
  void pending.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(done, false, 'still paused (the clock has not moved)');
  now = 60;
  await pending;
});
