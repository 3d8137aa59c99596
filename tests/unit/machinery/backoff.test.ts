import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffDelayMs, informerBackoff, itemBackoff } from '@longhorn-backup-guard/shared/kube/informer/backoff';

test('no failure, no delay', () => {
  assert.equal(backoffDelayMs(0, itemBackoff), 0);
});

test("the item policy is controller-runtime's: 5 ms doubling, capped at 1000 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, itemBackoff)),
    [5, 10, 20, 40, 80],
  );
  assert.equal(backoffDelayMs(18, itemBackoff), 5 * 2 ** 17);
  assert.equal(backoffDelayMs(19, itemBackoff), 1_000_000);
  assert.equal(
    backoffDelayMs(5000, itemBackoff),
    1_000_000,
    'a huge failure count neither overflows nor exceeds the cap',
  );
});

test('the informer policy: 200 ms doubling to 30 s, jitter adds up to half', () => {
  assert.equal(
    backoffDelayMs(1, informerBackoff, () => 0),
    200,
  );
  assert.equal(
    backoffDelayMs(1, informerBackoff, () => 0.999),
    299.9,
  );
  assert.equal(
    backoffDelayMs(3, informerBackoff, () => 0),
    800,
  );
  assert.equal(
    backoffDelayMs(9, informerBackoff, () => 0),
    30_000,
  );
  assert.equal(
    backoffDelayMs(9, informerBackoff, () => 0.999),
    30_000,
    'jitter never goes past the cap',
  );
});

test('the delay never shrinks as failures grow and stays within [base, max]', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100 }),
      fc.double({ min: 0, max: 0.9999, noNaN: true }),
      (failures, random) => {
        const policy = { initialMs: 10, maxMs: 60_000 };
        const delay = backoffDelayMs(failures, { ...policy, jitter: 0.5 }, () => random);
        const base = backoffDelayMs(failures, policy);
        assert.ok(delay >= base && delay <= policy.maxMs);
        assert.ok(backoffDelayMs(failures + 1, policy) >= base);
      },
    ),
  );
});
