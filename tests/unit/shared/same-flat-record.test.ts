// sameFlatRecord replaced comparing two records' JSON on every Volume update: for flat string
// records it must say "same" exactly when they hold the same keys and values, in any order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sameFlatRecord } from '@longhorn-backup-guard/shared/util/same-flat-record';

const sortedJson = (record: Readonly<Record<string, string>> | undefined) =>
  record === undefined ? undefined : JSON.stringify(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
const record = fc.option(
  fc.dictionary(fc.constantFrom('a', 'b', 'c', 'recurring-job.longhorn.io/x'), fc.constantFrom('', 'enabled', 'x'), {
    maxKeys: 4,
  }),
  { nil: undefined },
);

test('two flat records are the same exactly when their sorted entries are', () => {
  fc.assert(
    fc.property(record, record, (a, b) => {
      assert.equal(sameFlatRecord(a, b), sortedJson(a) === sortedJson(b));
      assert.equal(sameFlatRecord(a, a === undefined ? undefined : { ...a }), true);
    }),
    { numRuns: 500 },
  );
  assert.equal(sameFlatRecord({ a: 'x', b: 'y' }, { b: 'y', a: 'x' }), true);
  assert.equal(sameFlatRecord({ a: 'x' }, {}), false);
  assert.equal(sameFlatRecord(undefined, {}), false);
  assert.equal(sameFlatRecord(null, undefined), false);
});
