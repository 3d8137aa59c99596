// Whatever the labels and whatever JSON arrives, reading and deciding never throw, and every
// decision is a well-formed response for the same uid whose patch applies to the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  OPERATIONS,
  readAdmissionReview,
  type AdmissionResponse,
} from '@longhorn-backup-guard/webhook/admission/admission-review';
import { decide } from '@longhorn-backup-guard/webhook/decide/decide-admission';
import { P, applyJsonPatch, context, decodePatch, longhornClass, nfsClass, pvc, review } from './review-fixtures.ts';

const labelKey = fc.oneof(
  fc
    .constantFrom(
      'enabled',
      'name',
      'retain',
      'interval',
      'start',
      'full-backup-interval',
      'concurrency',
      'archive',
      'archive-delete-after',
      'default-enabled',
    )
    .map((key) => `${P}/${key}`),
  fc.constantFrom('recurring-job.longhorn.io/source', 'app', `${P}/retian`, 'a/b~c'),
  fc.string(),
);
const labelValue = fc.oneof(
  fc.constantFrom(
    'true',
    'false',
    'yes',
    '',
    '0',
    '4',
    '5',
    '101',
    '0030',
    '2460',
    '2030-01-01',
    '2026-02-30',
    '2020-01-01',
    'data',
    'Data',
    'enabled',
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
);
const labelMap = fc.dictionary(labelKey, labelValue, { maxKeys: 12 });
const storageClassName = fc.option(fc.constantFrom('longhorn', 'nfs', '', 'missing'), { nil: undefined });
const pvcObject = fc
  .record({
    name: fc.constantFrom('data-pvc', 'other', '', 'a-pvc-name-that-is-too-long-for-a-job-name'),
    labels: fc.option(labelMap, { nil: undefined }),
    storageClassName,
    terminating: fc.boolean(),
  })
  .map(({ name, labels, storageClassName: className, terminating }) =>
    pvc(
      name,
      labels,
      className === undefined ? {} : { storageClassName: className },
      terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {},
    ),
  );
const fuzzContext = fc
  .record({
    namespacePvcs: fc.array(pvcObject, { maxLength: 5 }),
    namespaceLabels: fc.option(labelMap, { nil: null }),
    clusterDefaultEnabled: fc.constantFrom(true, false, null),
    denyDeleteWithoutArchive: fc.boolean(),
    now: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  })
  .map(({ namespacePvcs, namespaceLabels, clusterDefaultEnabled, denyDeleteWithoutArchive, now }) =>
    context({
      namespacePvcs,
      namespaceLabels,
      now,
      storageClasses: [longhornClass, nfsClass],
      configChanges: { clusterDefaultEnabled, denyDeleteWithoutArchive },
    }),
  );

function assertWellFormed(response: AdmissionResponse, uid: string, object: unknown): void {
  assert.equal(response.uid, uid);
  assert.equal(typeof response.allowed, 'boolean');
  if (!response.allowed) {
    assert.equal(response.status?.code, 403);
    assert.ok(typeof response.status.message === 'string' && response.status.message.length > 0);
    assert.equal(response.patch, undefined);
  }
  if (response.patch !== undefined) {
    assert.equal(response.patchType, 'JSONPatch');
    const operations = decodePatch(response.patch);
    assert.ok(Array.isArray(operations) && operations.length > 0);
    applyJsonPatch(object, operations); // throws when a path does not exist
  }
  for (const warning of response.warnings ?? []) {
    assert.ok(warning.length > 0 && warning.isWellFormed());
    assert.doesNotMatch(warning, /[\u0000-\u001f\u007f-\u009f]/);
  }
}

test('arbitrary label maps, operations and contexts: a well-formed response with the same uid', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...OPERATIONS),
      pvcObject,
      pvcObject,
      fuzzContext,
      fc.constantFrom('mutate' as const, 'validate' as const),
      fc.string({ minLength: 1 }),
      (operation, object, oldObject, ctx, webhook, uid) => {
        const read = readAdmissionReview(review(operation, object, oldObject, uid));
        assert.ok(read.ok);
        assertWellFormed(decide(webhook, read.request, ctx), uid, object);
      },
    ),
    { numRuns: 3000 },
  );
});

test('arbitrary JSON bodies are read without throwing: a request or a message', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (body) => {
      const read = readAdmissionReview(body);
      if (!read.ok) assert.ok(read.message.length > 0);
    }),
    { numRuns: 2000 },
  );
});

test('arbitrary JSON in every request field: read and decide never throw', () => {
  const field = fc.oneof(fc.jsonValue(), fc.constant(undefined));
  const requestBody = fc.record({
    uid: fc.oneof(fc.string({ minLength: 1 }), fc.jsonValue()),
    kind: fc.oneof(fc.constant({ group: '', version: 'v1', kind: 'PersistentVolumeClaim' }), field),
    operation: fc.oneof(fc.constantFrom(...OPERATIONS), field),
    namespace: fc.oneof(fc.constant('team'), field),
    name: fc.oneof(fc.constant('data-pvc'), field),
    object: fc.oneof(
      pvcObject,
      field,
      fc.record({
        kind: fc.constant('PersistentVolumeClaim'),
        metadata: fc.oneof(fc.jsonValue(), fc.record({ labels: fc.jsonValue() })),
        spec: fc.jsonValue(),
      }),
    ),
    oldObject: fc.oneof(pvcObject, field),
  });
  fc.assert(
    fc.property(requestBody, fuzzContext, (request, ctx) => {
      const read = readAdmissionReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
      if (!read.ok) {
        assert.ok(read.message.length > 0);
        return;
      }
      for (const webhook of ['mutate', 'validate'] as const)
        assertWellFormed(decide(webhook, read.request, ctx), read.request.uid, read.request.object);
    }),
    { numRuns: 3000 },
  );
});
