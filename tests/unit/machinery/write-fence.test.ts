// The write fence hands every write between two renewals of the Lease one shared signal (one
// timer per renewal, not one per write), a new one once the Lease is renewed, and after a revoke
// a fresh signal while the writes in flight are aborted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotLeaderError, WriteFence } from '@longhorn-backup-guard/reconciler/machinery/write-fence';

/** A leader whose Lease expires at `expiresAt` (performance.now() time), as leader-election.ts computes it. */
function leaderUntil(lease: { expiresAt: number; leading: boolean }) {
  return {
    isLeader: () => lease.leading,
    validForMs: () => (lease.leading ? Math.max(0, lease.expiresAt - performance.now()) : 0),
  };
}

test('writes between two renewals share one signal; a renewal or a revoke hands out a new one', () => {
  const lease = { expiresAt: performance.now() + 10_000, leading: true };
  const fence = new WriteFence();
  assert.throws(() => fence.admit(), NotLeaderError);
  fence.bind(leaderUntil(lease));
  const first = fence.admit();
  assert.equal(fence.admit(), first);
  assert.equal(first.aborted, false);

  lease.expiresAt += 2_000; // renewed
  const renewed = fence.admit();
  assert.notEqual(renewed, first);
  assert.equal(fence.admit(), renewed);

  fence.revoke();
  assert.equal(renewed.aborted, true);
  assert.ok(renewed.reason instanceof NotLeaderError);
  const after = fence.admit();
  assert.equal(after.aborted, false);
  assert.notEqual(after, renewed);

  lease.leading = false;
  assert.throws(() => fence.admit(), NotLeaderError);
});

test('the shared signal aborts when the Lease could expire', async () => {
  const fence = new WriteFence();
  fence.bind(leaderUntil({ expiresAt: performance.now() + 30, leading: true }));
  const signal = fence.admit();
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  assert.equal(signal.aborted, true);
});
