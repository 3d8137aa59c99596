import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLease } from '@longhorn-backup-guard/reconciler/machinery/lease-decision';

const held = (holderIdentity: string, resourceVersion = '7') => ({
  resourceVersion,
  holderIdentity,
  leaseDurationSeconds: 15,
});

test('no Lease: create it', () => {
  assert.deepEqual(decideLease(undefined, 'me', undefined, 1000), { action: 'create', observation: undefined });
});

test('our own Lease: renew; an empty holder (released): take over at once', () => {
  assert.equal(decideLease(held('me'), 'me', undefined, 0).action, 'renew');
  assert.equal(decideLease(held(''), 'me', undefined, 0).action, 'take-over');
  assert.equal(decideLease({ resourceVersion: '1' }, 'me', undefined, 0).action, 'take-over');
});

test('another holder: wait until the Lease has not changed for its duration, on the local clock', () => {
  const first = decideLease(held('other'), 'me', undefined, 1_000);
  assert.deepEqual(
    first,
    { action: 'wait', observation: { resourceVersion: '7', observedAtMs: 1_000 } },
    'a Lease seen for the first time counts as just renewed, whatever its renewTime says',
  );
  assert.equal(decideLease(held('other'), 'me', first.observation, 15_999).action, 'wait');
  assert.equal(decideLease(held('other'), 'me', first.observation, 16_000).action, 'take-over');
});

test('a renewal (new resourceVersion) restarts the wait', () => {
  const first = decideLease(held('other', '7'), 'me', undefined, 0);
  const renewed = decideLease(held('other', '8'), 'me', first.observation, 14_000);
  assert.deepEqual(renewed, { action: 'wait', observation: { resourceVersion: '8', observedAtMs: 14_000 } });
  assert.equal(decideLease(held('other', '8'), 'me', renewed.observation, 20_000).action, 'wait');
  assert.equal(decideLease(held('other', '8'), 'me', renewed.observation, 29_000).action, 'take-over');
});
