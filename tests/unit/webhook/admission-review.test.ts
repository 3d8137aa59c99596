import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAdmissionReview } from '@longhorn-backup-guard/webhook/admission/admission-review';
import { escapePointerToken, labelsSetPatch } from '@longhorn-backup-guard/webhook/admission/json-patch';
import { allow, allowWithPatch, deny, resultOf } from '@longhorn-backup-guard/webhook/admission/review-response';
import { applyJsonPatch, pvc, review } from './review-fixtures.ts';

function withRequest(changes: Record<string, unknown>): Record<string, unknown> {
  const body = review('CREATE', pvc('data-pvc'));
  return { ...body, request: { ...(body.request as object), ...changes } };
}

const refused: { case: string; body: unknown; message: RegExp; operation?: string }[] = [
  { case: 'not an object', body: 'hello', message: /^the body is not an AdmissionReview object$/ },
  { case: 'an array', body: [], message: /not an AdmissionReview object/ },
  { case: 'null', body: null, message: /not an AdmissionReview object/ },
  {
    case: 'v1beta1',
    body: { ...review('CREATE', pvc('x')), apiVersion: 'admission.k8s.io/v1beta1' },
    message: /^apiVersion is "admission.k8s.io\/v1beta1": expected admission.k8s.io\/v1$/,
  },
  { case: 'no apiVersion', body: { kind: 'AdmissionReview' }, message: /^apiVersion is missing/ },
  {
    case: 'wrong kind',
    body: { ...review('CREATE', pvc('x')), kind: 'Pod' },
    message: /^kind is "Pod": expected AdmissionReview$/,
  },
  {
    case: 'no request',
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
    message: /^the AdmissionReview has no request$/,
  },
  {
    case: 'no uid',
    body: withRequest({ uid: undefined }),
    message: /^request.uid is missing or empty$/,
    operation: 'CREATE',
  },
  { case: 'empty uid', body: withRequest({ uid: '' }), message: /uid is missing/ },
  { case: 'numeric uid', body: withRequest({ uid: 7 }), message: /uid is missing/ },
  {
    case: 'unknown operation',
    body: withRequest({ operation: 'PATCH' }),
    message: /^request.operation is "PATCH": expected CREATE, UPDATE, DELETE, CONNECT$/,
  },
  {
    case: 'a Pod review',
    body: withRequest({ kind: { group: '', version: 'v1', kind: 'Pod' } }),
    message: /PersistentVolumeClaims .* only/,
    operation: 'CREATE',
  },
  { case: 'no kind', body: withRequest({ kind: undefined }), message: /^request.kind is missing/ },
  {
    case: 'object of another kind',
    body: withRequest({ object: { ...pvc('x'), kind: 'Pod' } }),
    message: /^request.object is a "Pod", not a PersistentVolumeClaim/,
  },
  {
    case: 'object of another apiVersion',
    body: withRequest({ object: { ...pvc('x'), apiVersion: 'v2' } }),
    message: /apiVersion "v2", expected v1/,
  },
  {
    case: 'object not an object',
    body: withRequest({ object: 3 }),
    message: /^request.object is not a PersistentVolumeClaim object$/,
  },
  {
    case: 'no metadata',
    body: withRequest({ object: { kind: 'PersistentVolumeClaim' } }),
    message: /has no metadata object/,
  },
  {
    case: 'labels not strings',
    body: withRequest({ object: pvc('x', { a: 1 } as never) }),
    message: /metadata.labels that is not a map of strings/,
  },
  {
    case: 'spec not object',
    body: withRequest({ object: { ...pvc('x'), spec: 'x' } }),
    message: /spec that is not an object/,
  },
  {
    case: 'storageClassName not string',
    body: withRequest({ object: { ...pvc('x'), spec: { storageClassName: 5 } } }),
    message: /storageClassName that is not a string/,
  },
  {
    case: 'CREATE without object',
    body: withRequest({ object: null }),
    message: /^request.object is missing: a CREATE review carries the PVC there$/,
  },
  {
    case: 'UPDATE without oldObject',
    body: withRequest({ operation: 'UPDATE' }),
    message: /^request.oldObject is missing/,
  },
  {
    case: 'no namespace anywhere',
    body: withRequest({ namespace: undefined, object: { ...pvc('x'), metadata: { name: 'x' } } }),
    message: /namespace is missing/,
  },
];

for (const { case: name, body, message, operation } of refused) {
  test(`refused review: ${name}`, () => {
    const read = readAdmissionReview(body);
    assert.equal(read.ok, false);
    if (!read.ok) {
      assert.match(read.message, message);
      if (operation) assert.equal(read.operation, operation);
    }
  });
}

test('a well-formed review is read; namespace and name fall back to the object', () => {
  const read = readAdmissionReview(withRequest({ namespace: undefined, name: undefined }));
  assert.ok(read.ok);
  assert.equal(read.request.namespace, 'team');
  assert.equal(read.request.name, 'data-pvc');
  assert.equal(read.request.oldObject, null);
  // DELETE without oldObject is lenient (nothing to judge), CONNECT too.
  assert.ok(readAdmissionReview(withRequest({ operation: 'DELETE', object: null, name: 'x' })).ok);
  assert.ok(readAdmissionReview(withRequest({ operation: 'CONNECT', object: null, name: 'x' })).ok);
});

test('JSON Pointer escaping: ~ first, then /', () => {
  assert.equal(escapePointerToken('a/b~c'), 'a~1b~0c');
  assert.equal(escapePointerToken('~1'), '~01');
});

test('labelsSetPatch adds and replaces the labels it is given, leaves the others, and the result applies exactly', () => {
  const current = { keep: '1', 'x/change': 'a', 'y~same': 'b' };
  const changes = { 'x/change': 'c', 'z/new': 'd', 'y~same': 'b' };
  const operations = labelsSetPatch(current, changes);
  assert.deepEqual(operations, [
    { op: 'replace', path: '/metadata/labels/x~1change', value: 'c' },
    { op: 'add', path: '/metadata/labels/z~1new', value: 'd' },
  ]);
  assert.deepEqual(applyJsonPatch({ metadata: { labels: current } }, operations), {
    metadata: { labels: { ...current, ...changes } },
  });
  assert.deepEqual(labelsSetPatch(undefined, {}), []);
  assert.deepEqual(labelsSetPatch(null, { a: 'b' }), [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]);
});

test('responses: results, base64 patch, warnings without control characters', () => {
  assert.equal(resultOf(allow('u')), 'allowed');
  assert.equal(resultOf(deny('u', 'no')), 'denied');
  assert.equal(resultOf(allowWithPatch('u', [])), 'allowed');
  const patched = allowWithPatch('u', [{ op: 'add', path: '/a', value: 1 }]);
  assert.equal(resultOf(patched), 'patched');
  assert.equal(Buffer.from(patched.patch ?? '', 'base64').toString(), '[{"op":"add","path":"/a","value":1}]');
  assert.deepEqual(allow('u', ['line\none\u0007', '', '  ']).warnings, ['line one']);
  assert.equal(allow('u', ['']).warnings, undefined);
});
