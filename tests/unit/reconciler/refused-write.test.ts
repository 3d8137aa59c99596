import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { Action, EventSpec } from '@longhorn-backup-guard/reconciler/model/actions';
import { eventName } from '@longhorn-backup-guard/reconciler/events/event-name';
import { isRefusal, refusedWriteEvent } from '@longhorn-backup-guard/reconciler/execute/refused-write';

const status = (code: number, message: string) =>
  new ApiException(code, 'HTTP error', JSON.stringify({ kind: 'Status', status: 'Failure', message, code }), {});
const pvcEvent: EventSpec = {
  involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'db', uid: 'u-1' },
  type: 'Normal',
  reason: 'ArchiveSnapshotCreated',
  message: 'archive attempt 1: created Snapshot ...',
};
const createSnapshot: Action = {
  type: 'create',
  target: { resource: 'snapshots', namespace: 'longhorn-system', name: 'backup-shop-db-abc-1' },
  body: {},
  event: pvcEvent,
};
const labelVolume: Action = {
  type: 'patch',
  target: { resource: 'volumes', namespace: 'longhorn-system', name: 'pvc-1' },
  patch: {},
};
const LONGHORN_REFUSAL =
  'admission webhook "validator.longhorn.io" denied the request: snapshot count of volume pvc-1 exceeds the limit 250';

test('refusals: a 4xx other than 404 (cache behind), 409 (conflict) and 429 (throttling); never a 5xx or a network error', () => {
  for (const code of [400, 401, 403, 405, 413, 415, 422])
    assert.equal(isRefusal(status(code, 'x')), true, String(code));
  for (const code of [404, 409, 429, 500, 503]) assert.equal(isRefusal(status(code, 'x')), false, String(code));
  assert.equal(isRefusal(new Error('socket hang up')), false);
});

test("a refused create is a Warning with the API's message on the action's Event target", () => {
  const event = refusedWriteEvent(createSnapshot, status(400, LONGHORN_REFUSAL));
  assert.deepEqual(event?.involvedObject, pvcEvent.involvedObject);
  assert.equal(event?.type, 'Warning');
  assert.equal(event?.reason, 'BackupWriteRefused');
  assert.equal(
    event?.message,
    `the apiserver refused to create Snapshot longhorn-system/backup-shop-db-abc-1: 400: ${LONGHORN_REFUSAL}. Retried with backoff until it is accepted`,
  );
  assert.equal(refusedWriteEvent(createSnapshot, status(409, 'already exists')), undefined);
  assert.equal(refusedWriteEvent(createSnapshot, status(503, 'unavailable')), undefined);
});

test('a refused patch without an Event of its own is reported on the object it writes', () => {
  const event = refusedWriteEvent(
    labelVolume,
    status(422, 'Volume.longhorn.io "pvc-1" is invalid: metadata.labels: Invalid value'),
  );
  assert.deepEqual(event?.involvedObject, {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    namespace: 'longhorn-system',
    name: 'pvc-1',
  });
  assert.match(
    event?.message ?? '',
    /^the apiserver refused to patch Volume longhorn-system\/pvc-1: 422: Volume\.longhorn\.io "pvc-1" is invalid/,
  );
});

test('the same refusal gives the same Event (one Event however often the key retries)', () => {
  const first = refusedWriteEvent(createSnapshot, status(400, LONGHORN_REFUSAL));
  const again = refusedWriteEvent(createSnapshot, status(400, LONGHORN_REFUSAL));
  assert.ok(first && again);
  assert.equal(eventName(first), eventName(again));
});
