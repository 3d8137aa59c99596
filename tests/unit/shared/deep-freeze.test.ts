// deepFreeze walks a JSON tree with for-in (no array per object): every object and array in it,
// however nested, ends frozen, and the values stay as they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { deepFreeze } from '@longhorn-backup-guard/shared/util/deep-freeze';

function everyContainerFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(everyContainerFrozen);
}

test('deepFreeze: every object and array of a JSON tree is frozen, its values unchanged', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (tree) => {
      const copy = structuredClone(tree);
      assert.equal(deepFreeze(tree), tree);
      assert.ok(everyContainerFrozen(tree));
      assert.deepEqual(tree, copy);
    }),
  );
});

test('deepFreeze: a watch object, nested labels and a list of conditions', () => {
  const object = deepFreeze({ metadata: { labels: { a: 'b' } }, status: { conditions: [{ type: 'Ready' }] } });
  assert.ok(Object.isFrozen(object.metadata.labels));
  assert.ok(Object.isFrozen(object.status.conditions));
  assert.ok(Object.isFrozen(object.status.conditions[0]));
  assert.equal(deepFreeze(null), null);
  assert.equal(deepFreeze('text'), 'text');
});
