// Event economy: one story per reconcile and object, the correlator's seen / aggregation / spam
// decisions, and the bounded O(1) map under them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BoundedMap } from '@longhorn-backup-guard/shared/collections/bounded-map';
import type { EventSpec } from '@longhorn-backup-guard/reconciler/model/actions';
import { EventCorrelator } from '@longhorn-backup-guard/reconciler/events/event-correlator';
import { eventName } from '@longhorn-backup-guard/reconciler/events/event-name';
import { asOneStory } from '@longhorn-backup-guard/reconciler/events/event-story';

const pvc = (name: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  namespace: 'apps',
  name,
  uid: `uid-${name}`,
});
const normal = (name: string, reason: string, message: string): EventSpec => ({
  involvedObject: pvc(name),
  type: 'Normal',
  reason,
  message,
});
const warning = (name: string, reason: string, message: string): EventSpec => ({
  involvedObject: pvc(name),
  type: 'Warning',
  reason,
  message,
});

test("the job-story Events of a reconcile's writes on one object are one story under its telling reason; Warnings, other stories and objects stay apart", () => {
  const told = asOneStory([
    normal('data', 'BackupJobCreated', 'created RecurringJob backup-apps-new'),
    warning('data', 'BackupWriteRefused', 'refused'),
    normal('logs', 'BackupVolumeLabelled', 'labelled volume pv-logs'),
    normal('data', 'BackupVolumeLabelled', 'labelled volume pv-data'),
    normal('data', 'BackupJobRenamed', 'deleted RecurringJob backup-apps-old'),
  ]);
  assert.deepEqual(told, [
    normal(
      'data',
      'BackupJobRenamed',
      'created RecurringJob backup-apps-new; labelled volume pv-data; deleted RecurringJob backup-apps-old',
    ),
    warning('data', 'BackupWriteRefused', 'refused'),
    normal('logs', 'BackupVolumeLabelled', 'labelled volume pv-logs'),
  ]);
  assert.deepEqual(asOneStory([normal('a', 'BackupVolumeLabelled', 'one'), normal('a', 'BackupJobUpdated', 'two')]), [
    normal('a', 'BackupJobUpdated', 'one; two'),
  ]);
  // The archive workflow's steps are stories of their own.
  assert.deepEqual(asOneStory([normal('a', 'BackupJobUpdated', 'one'), normal('a', 'ArchiveSnapshotCreated', 'two')]), [
    normal('a', 'BackupJobUpdated', 'one'),
    normal('a', 'ArchiveSnapshotCreated', 'two'),
  ]);
  assert.deepEqual(asOneStory([]), []);
});

test('the bounded map drops the least recently used entry, never holds more than its capacity', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1);
  map.set('b', 2);
  assert.equal(map.get('a'), 1); // a is now the most recent
  map.set('c', 3);
  assert.equal(map.get('b'), undefined);
  assert.equal(map.get('a'), 1);
  assert.equal(map.size, 2);
  assert.throws(() => new BoundedMap(0), /at least 1/);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 50 })), (capacity, keys) => {
      const bounded = new BoundedMap<number, number>(capacity);
      for (const key of keys) bounded.set(key, key);
      // The last `capacity` distinct keys set are the ones held.
      const recent = [...new Set([...keys].reverse())].slice(0, capacity);
      return bounded.size === recent.length && recent.every((key) => bounded.get(key) === key);
    }),
  );
});

const record = (correlator: EventCorrelator, event: EventSpec, now: number) => {
  const verdict = correlator.decide(event, eventName(event), now);
  if (verdict.write) correlator.remember(eventName(event), now);
  return verdict.write ? verdict.event.message : verdict.why;
};

test('an Event already written is not attempted again until it is forgotten', () => {
  const correlator = new EventCorrelator({ rememberMs: 1_000 });
  const event = normal('data', 'BackupJobCreated', 'created');
  assert.equal(record(correlator, event, 0), 'created');
  assert.equal(record(correlator, event, 999), 'seen');
  assert.equal(record(correlator, event, 1_000), 'created');
});

test('similar Events beyond the limit in a window are told once as combined, then dropped until the window ends', () => {
  const correlator = new EventCorrelator({
    similarLimit: 3,
    similarWindowMs: 10_000,
    perObject: { ratePerSecond: 1000, burst: 1000 },
  });
  const outcomes = [1, 2, 3, 4, 5, 6].map((n) =>
    record(correlator, warning('data', 'InvalidBackupLabels', `retain=${n}`), n),
  );
  assert.deepEqual(outcomes, [
    'retain=1',
    'retain=2',
    'retain=3',
    '(combined from similar events): retain=4',
    'aggregated',
    'aggregated',
  ]);
  assert.equal(record(correlator, warning('data', 'InvalidBackupLabels', 'retain=7'), 10_001), 'retain=7');
  assert.equal(
    record(correlator, warning('other', 'InvalidBackupLabels', 'retain=8'), 6),
    'retain=8',
    'another object has its own count',
  );
});

test("the spam filter gives each object client-go's burst of 25, then one Event per 5 minutes", () => {
  const correlator = new EventCorrelator({ similarLimit: 1_000 });
  const outcomes = Array.from({ length: 30 }, (_, n) =>
    record(correlator, normal('data', `Reason${n}`, `message ${n}`), 0),
  );
  assert.equal(outcomes.filter((outcome) => outcome === 'spam').length, 5);
  assert.equal(record(correlator, normal('data', 'Later', 'too soon'), 299_000), 'spam');
  assert.equal(record(correlator, normal('data', 'Later', 'after 5 min'), 300_000), 'after 5 min');
  assert.equal(record(correlator, normal('other', 'Other', 'fresh object'), 0), 'fresh object');
});

test('the correlator holds at most its capacity per map, whatever the number of objects', () => {
  const correlator = new EventCorrelator({ capacity: 100 });
  for (let n = 0; n < 10_000; n++) record(correlator, normal(`pvc-${n}`, 'BackupJobCreated', 'created'), n);
  // The first objects were forgotten: their Event is attempted again (and would be a 409 at worst).
  assert.equal(record(correlator, normal('pvc-0', 'BackupJobCreated', 'created'), 10_000), 'created');
  assert.equal(record(correlator, normal('pvc-9999', 'BackupJobCreated', 'created'), 10_000), 'seen');
});
