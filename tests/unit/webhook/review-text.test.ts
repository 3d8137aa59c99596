// The pass before the parse: the reviewed objects' managedFields are left out of it, and nothing
// else is changed, whatever the values around them (property-tested against JSON.parse itself);
// a text with too few brackets to be deep is parsed as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  openingBracketsAtMost,
  reviewTextToParse,
  scanReviewText,
  withoutManagedFields,
} from '@longhorn-backup-guard/webhook/admission/review-text';

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

test('openingBracketsAtMost counts every { and [, in strings too: a text it passes never nests deeper', () => {
  const text = fc.string({ unit: fc.constantFrom('{', '[', '}', ']', '"', '\\', 'a', ':', ','), maxLength: 40 });
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 12 }), (candidate, limit) => {
      const brackets = [...candidate].filter((character) => character === '{' || character === '[').length;
      assert.equal(openingBracketsAtMost(candidate, limit), brackets <= limit);
      if (brackets <= limit) assert.equal(nestsDeeperThan(candidate, limit), false);
    }),
    { numRuns: 2_000 },
  );
});

test('reviewTextToParse: the review as it is when it has few brackets, without the objects managedFields when many, nothing when too deep', () => {
  fc.assert(
    fc.property(review, (value) => {
      const text = JSON.stringify(value);
      const parsed = JSON.parse(reviewTextToParse(text) ?? 'null') as unknown;
      const whole = JSON.parse(text) as Review;
      assert.deepEqual(parsed, openingBracketsAtMost(text, MAX_JSON_DEPTH) ? whole : expected(whole));
    }),
    { numRuns: 300 },
  );
  const labels = Object.fromEntries(Array.from({ length: 120 }, (_, index) => [`l${index}`, 'v']));
  const fields = Object.fromEntries(Object.keys(labels).map((key) => [`f:${key}`, {}]));
  const many = JSON.stringify({ request: { object: { metadata: { labels, managedFields: [{ fieldsV1: fields }] } } } });
  assert.deepEqual(JSON.parse(reviewTextToParse(many) ?? 'null'), {
    request: { object: { metadata: { labels, managedFields: [] } } },
  });
  assert.equal(reviewTextToParse('['.repeat(MAX_JSON_DEPTH + 1)), undefined);
  const atTheLimit = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
  assert.equal(reviewTextToParse(atTheLimit), atTheLimit);
});
