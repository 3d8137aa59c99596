// A decision on a cached copy older than the reconciler's own last write of the object is held
// back until the cache has that write (or the wait expires); anything unknown never holds back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EXPECTATION_TTL_MS, WrittenVersions } from '@longhorn-backup-guard/reconciler/execute/written-versions';
import type { ObjectTarget } from '@longhorn-backup-guard/reconciler/model/actions';

const job: ObjectTarget = { resource: 'recurringjobs', namespace: 'longhorn-system', name: 'backup-apps-data' };
const volume: ObjectTarget = { resource: 'volumes', namespace: 'longhorn-system', name: 'pvc-1' };

function clocked() {
  let now = 0;
  return { versions: new WrittenVersions(() => now), advance: (ms: number) => (now += ms) };
}

test('a copy older than our write is behind; the written version or a later one is not, and clears the wait', () => {
  const { versions } = clocked();
  versions.wrote(job, '1005');
  assert.equal(versions.isBehind(job, '1004'), true);
  assert.equal(versions.isBehind(job, undefined), true, 'created, not cached yet');
  assert.equal(versions.isBehind(volume, '1'), false, 'another object');
  assert.equal(versions.isBehind(job, '1005'), false);
  assert.equal(versions.isBehind(job, '1004'), false, 'forgotten once seen');
});

test('resourceVersions compare as integers, not as strings', () => {
  const { versions } = clocked();
  versions.wrote(job, '10');
  assert.equal(versions.isBehind(job, '9'), true);
  assert.equal(versions.isBehind(job, '100'), false);
});

test('never held back: a delete, an answer without an integer version, a cached version that is not one, an expired wait', () => {
  const { versions, advance } = clocked();
  versions.wrote(job, '7');
  versions.deleted(job);
  assert.equal(versions.isBehind(job, undefined), false);
  versions.wrote(job, 'opaque');
  assert.equal(versions.isBehind(job, '1'), false);
  versions.wrote(job, '7');
  assert.equal(versions.isBehind(job, 'opaque'), false);
  versions.wrote(volume, '8');
  advance(EXPECTATION_TTL_MS + 1);
  assert.equal(versions.isBehind(volume, undefined), false, 'deleted meanwhile, its event never came');
});

test('behind exactly when the cached version is lower than the last write, for any versions', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), (written, cached) => {
      const { versions } = clocked();
      versions.wrote(job, String(written));
      assert.equal(versions.isBehind(job, String(cached)), cached < written);
    }),
  );
});
