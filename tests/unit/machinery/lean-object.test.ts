import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepingStatus, withoutBookkeeping } from '@longhorn-backup-guard/shared/kube/informer/lean-object';
import { leanPvc } from '@longhorn-backup-guard/webhook/cache/pvc-cache';

const applied = {
  metadata: {
    name: 'data',
    namespace: 'apps',
    resourceVersion: '7',
    labels: { app: 'db' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a huge":"copy"}', keep: 'me' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:metadata': {} } }],
  },
  spec: { storageClassName: 'longhorn', volumeName: 'pv-1', resources: { requests: { storage: '1Gi' } } },
  status: { phase: 'Bound', capacity: { storage: '1Gi' }, conditions: [{ type: 'Resizing' }] },
};

test('withoutBookkeeping drops managedFields and the last-applied copy, and nothing else', () => {
  const lean = withoutBookkeeping(structuredClone(applied));
  const { managedFields: _dropped, ...metadata } = applied.metadata;
  assert.deepEqual(lean, { ...applied, metadata: { ...metadata, annotations: { keep: 'me' } } });
  assert.equal(withoutBookkeeping(null), null);
  assert.deepEqual(withoutBookkeeping({ spec: {} }), { spec: {} });
});

test('keepingStatus keeps only the named status fields', () => {
  const lean = keepingStatus<typeof applied>(['phase', 'missing'])(structuredClone(applied));
  assert.deepEqual(lean.status, { phase: 'Bound' });
  assert.equal('managedFields' in lean.metadata, false);
  assert.deepEqual(keepingStatus<{ status?: object }>(['phase'])({}), {});
});

test("the webhook's cached PVC holds what the duplicate-name check reads, nothing more", () => {
  assert.deepEqual(
    leanPvc({
      ...structuredClone(applied),
      metadata: { ...structuredClone(applied.metadata), uid: 'u1', deletionTimestamp: '2026-01-01T00:00:00Z' },
    }),
    {
      metadata: {
        name: 'data',
        namespace: 'apps',
        uid: 'u1',
        resourceVersion: '7',
        labels: { app: 'db' },
        deletionTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: { storageClassName: 'longhorn' },
    },
  );
});
