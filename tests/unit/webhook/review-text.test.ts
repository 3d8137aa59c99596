// The pass before the parse: the reviewed objects' managedFields are left out of it, and nothing
// else is changed, whatever the values around them (property-tested against JSON.parse itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanReviewText, withoutManagedFields } from '@longhorn-backup-guard/webhook/admission/review-text';

function parsedWithoutManagedFields(text: string): unknown {
  const scan = scanReviewText(text);
  assert.equal(scan.tooDeep, false);
  return JSON.parse(withoutManagedFields(text, scan.tooDeep ? [] : scan.managedFields));
}

const pvcObject = fc.record(
  {
    metadata: fc.record(
      {
        name: fc.string(),
        // A label may be called managedFields: it is a label, not the bookkeeping.
        labels: fc.dictionary(fc.constantFrom('managedFields', 'a', 'b/c', '"[{'), fc.string()),
        managedFields: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }),
        annotations: fc.dictionary(fc.string(), fc.string()),
      },
      { requiredKeys: ['name'] },
    ),
    spec: fc.record({ managedFields: fc.array(fc.jsonValue({ maxDepth: 2 })), storageClassName: fc.string() }),
  },
  { requiredKeys: ['metadata'] },
);

const review = fc.record({
  apiVersion: fc.constant('admission.k8s.io/v1'),
  kind: fc.constant('AdmissionReview'),
  request: fc.record(
    {
      uid: fc.string(),
      userInfo: fc.record({ extra: fc.dictionary(fc.constantFrom('managedFields', 'x'), fc.array(fc.string())) }),
      managedFields: fc.array(fc.string()),
      object: pvcObject,
      oldObject: pvcObject,
    },
    { requiredKeys: ['uid'] },
  ),
});

type Metadata = { managedFields?: unknown };
type Review = { request: { object?: { metadata: Metadata }; oldObject?: { metadata: Metadata } } };

/** What the parse must give: the review with the objects' managedFields emptied, nothing else changed. */
function expected(value: Review): Review {
  const copy = structuredClone(value);
  for (const object of [copy.request.object, copy.request.oldObject])
    if (object?.metadata.managedFields !== undefined) object.metadata.managedFields = [];
  return copy;
}

test('the objects managedFields are parsed as empty, everything else as JSON.parse gives it (any white space)', () => {
  fc.assert(
    fc.property(review, fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      assert.deepEqual(parsedWithoutManagedFields(text), expected(JSON.parse(text) as Review));
    }),
    { numRuns: 500 },
  );
});

test('managedFields elsewhere are kept: a label, spec, request, an object not under request', () => {
  const text = JSON.stringify({
    request: {
      managedFields: [1],
      object: {
        metadata: { labels: { managedFields: 'v' }, managedFields: [{ 'f:x': {} }] },
        spec: { managedFields: [2] },
      },
    },
    object: { metadata: { managedFields: [3] } },
  });
  assert.deepEqual(parsedWithoutManagedFields(text), {
    request: {
      managedFields: [1],
      object: { metadata: { labels: { managedFields: 'v' }, managedFields: [] }, spec: { managedFields: [2] } },
    },
    object: { metadata: { managedFields: [3] } },
  });
  // Not an array (or a key spelled with an escape): left to JSON.parse and the review's checks.
  const notArray = '{"request":{"object":{"metadata":{"managedFields":{"a":1},"man\\u0061gedFields":[1]}}}}';
  assert.deepEqual(parsedWithoutManagedFields(notArray), JSON.parse(notArray));
});
