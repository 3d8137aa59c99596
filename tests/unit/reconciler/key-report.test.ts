// mergeReports shares a list when the other side's is empty (twice per reconcile, nearly always):
// the merged report must be what concatenating every list gives, and neither input may change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EMPTY_REPORT, mergeReports, type KeyReport } from '@longhorn-backup-guard/reconciler/model/key-report';

const LISTS = Object.keys(EMPTY_REPORT) as (keyof KeyReport)[];

const names = fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 });
const report: fc.Arbitrary<KeyReport> = fc.record(
  {
    violations: fc.array(
      fc.record(
        { condition: fc.string({ maxLength: 4 }), message: fc.string({ maxLength: 4 }) },
        { noNullPrototype: true },
      ),
      { maxLength: 3 },
    ),
    managed: names,
    orphaned: names,
    retained: names,
    archiveReady: names,
    archiveExpired: names,
    archiveFailed: names,
    archiveExhausted: names,
    health: fc.array(
      fc.record(
        { job: fc.string({ maxLength: 4 }), state: fc.string({ maxLength: 4 }), completedCount: fc.nat() },
        { noNullPrototype: true },
      ),
      { maxLength: 3 },
    ),
    policies: names,
  },
  { noNullPrototype: true },
);
const partial: fc.Arbitrary<Partial<KeyReport>> = report.chain((whole) =>
  fc.subarray(LISTS).map((kept) => Object.fromEntries(kept.map((list) => [list, whole[list]]))),
);

test('mergeReports: every list is the two lists one after the other, and neither report changes', () => {
  fc.assert(
    fc.property(report, partial, (a, b) => {
      const before = structuredClone({ a, b });
      const merged = mergeReports(a, b);
      for (const list of LISTS)
        assert.deepEqual(merged[list], [...a[list], ...(b[list] ?? [])], `the ${list} list is both, in order`);
      assert.deepEqual({ a, b }, before, 'the inputs are as they were');
    }),
  );
});

test('mergeReports: a list with nothing to add is the same array, not a copy', () => {
  const a: KeyReport = { ...EMPTY_REPORT, managed: ['job-a'] };
  const health = [{ job: 'job-a', state: 'healthy', completedCount: 1 }];
  const merged = mergeReports(a, { health });
  assert.equal(merged.managed, a.managed);
  assert.equal(merged.health, health);
  assert.equal(merged.violations, EMPTY_REPORT.violations);
  assert.deepEqual(mergeReports(a, { managed: ['job-b'] }).managed, ['job-a', 'job-b']);
});
