// One write per object a reconcile creates: a patch of an object the same reconcile creates goes
// into the create's body (RFC 7386 merge), its Event right after the create.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Action, EventSpec } from '@longhorn-backup-guard/reconciler/model/actions';
import {
  applyMergePatch,
  foldIntoCreates,
  jobsCreatedBy,
} from '@longhorn-backup-guard/reconciler/model/fold-into-creates';

const job = (name: string) => ({ resource: 'recurringjobs', namespace: 'longhorn-system', name }) as const;
const volume = (name: string) => ({ resource: 'volumes', namespace: 'longhorn-system', name }) as const;
const event = (reason: string): EventSpec => ({
  involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'a', name: 'data' },
  type: 'Normal',
  reason,
  message: reason,
});
const body = { metadata: { name: 'backup-a-data', labels: { owner: 'x' } }, spec: { cron: '0 0 * * *', retain: 8 } };

test("a patch of a job created earlier in the same reconcile goes into the create's body; its Event follows the create", () => {
  const actions: Action[] = [
    { type: 'create', target: job('backup-a-data'), body, event: event('BackupJobCreated') },
    { type: 'patch', target: volume('pvc-1'), patch: { metadata: { labels: { l: 'enabled' } } } },
    {
      type: 'patch',
      target: job('backup-a-data'),
      patch: { metadata: { labels: { health: 'detached' }, annotations: { summary: '{}' } } },
      event: event('BackupNotRunning'),
    },
  ];
  assert.deepEqual(foldIntoCreates(actions), [
    {
      type: 'create',
      target: job('backup-a-data'),
      body: {
        metadata: { name: 'backup-a-data', labels: { owner: 'x', health: 'detached' }, annotations: { summary: '{}' } },
        spec: { cron: '0 0 * * *', retain: 8 },
      },
      event: event('BackupJobCreated'),
    },
    { type: 'event', event: event('BackupNotRunning') },
    { type: 'patch', target: volume('pvc-1'), patch: { metadata: { labels: { l: 'enabled' } } } },
  ]);
  // The body decided on is not changed in place.
  assert.deepEqual(body.metadata.labels, { owner: 'x' });
});

test('patches of objects not created in the same reconcile, or created later, stay writes of their own', () => {
  const patch: Action = { type: 'patch', target: job('backup-a-data'), patch: { metadata: { labels: { h: 'ok' } } } };
  const create: Action = { type: 'create', target: job('backup-a-data'), body };
  const other: Action = { type: 'create', target: job('backup-a-other'), body };
  assert.deepEqual(foldIntoCreates([patch, create]), [patch, create]);
  assert.deepEqual(foldIntoCreates([other, patch]), [other, patch]);
  assert.deepEqual(foldIntoCreates([]), []);
});

test('the jobs a reconcile creates, as they will be stored: created now', () => {
  const created = jobsCreatedBy(
    [
      { type: 'create', target: job('backup-a-data'), body },
      { type: 'patch', target: volume('pvc-1'), patch: {} },
    ],
    new Date('2026-11-29T15:00:00.123Z'),
  );
  assert.deepEqual([...created.keys()], ['backup-a-data']);
  assert.equal(created.get('backup-a-data')?.metadata.creationTimestamp, '2026-11-29T15:00:00Z');
  assert.equal(created.get('backup-a-data')?.spec?.cron, '0 0 * * *');
});

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, 1, 'x', true), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
})).object;

test('RFC 7386: null removes, objects merge, anything else replaces; a patch applied twice changes nothing more', () => {
  assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null, e: 4 }, f: [1] }), {
    b: { d: 3, e: 4 },
    f: [1],
  });
  assert.equal(applyMergePatch({ a: 1 }, 'x'), 'x');
  fc.assert(
    fc.property(json, json, (target, patch) => {
      const once = applyMergePatch(target, patch);
      assert.deepEqual(applyMergePatch(once, patch), once);
      // Every non-null field of the patch is in the result.
      for (const [field, value] of Object.entries(patch))
        if (value !== null && (typeof value !== 'object' || Array.isArray(value)))
          assert.deepEqual((once as Record<string, unknown>)[field], value);
    }),
  );
});
