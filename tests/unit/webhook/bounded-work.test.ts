// The pieces that bound a review's work whatever it holds: the nesting check before parsing, the
// bounded description of untrusted values, capped warnings, the fuzzy match's length bound, the
// large-body slots and the namespace answers kept briefly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  firstUnknownBackupLabelKeys,
  unknownBackupLabels,
} from '@longhorn-backup-guard/shared/intent/unknown-backup-labels';
import { closestMatch, MAX_COMPARED_LENGTH } from '@longhorn-backup-guard/shared/text/closest-match';
import { describeValue } from '@longhorn-backup-guard/webhook/admission/describe-value';
import { nestsDeeperThan } from '@longhorn-backup-guard/webhook/admission/review-text';
import { allow, MAX_WARNING_LENGTH, MAX_WARNINGS } from '@longhorn-backup-guard/webhook/admission/review-response';
import { createNamespaceAnswers } from '@longhorn-backup-guard/webhook/cache/namespace-answers';
import { decideValidation } from '@longhorn-backup-guard/webhook/decide/decide-validation';
import { createBodyBudget } from '@longhorn-backup-guard/webhook/server/body-budget';
import { context, labels, P, pvc, request } from './review-fixtures.ts';

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

test('nestsDeeperThan agrees with the depth of any JSON value, brackets inside strings ignored', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, limit) => {
      assert.equal(nestsDeeperThan(JSON.stringify(value), limit), depthOf(value) > limit);
    }),
  );
  assert.equal(nestsDeeperThan('{"a":"[[[[\\"[[[["}', 1), false);
  assert.equal(nestsDeeperThan('['.repeat(1_000_000), 100), true);
});

/** The check one character at a time, as it was before strings were skipped with indexOf. */
function nestsDeeperStepByStep(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (++depth > limit) return true;
    } else if (char === '}' || char === ']') depth--;
  }
  return false;
}

test('nestsDeeperThan agrees with a step-by-step scan on any text, escapes and unclosed strings included', () => {
  const text = fc
    .array(fc.constantFrom('{', '[', '}', ']', '"', '\\', 'a'), { maxLength: 40 })
    .map((chars) => chars.join(''));
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 6 }), (candidate, limit) => {
      assert.equal(nestsDeeperThan(candidate, limit), nestsDeeperStepByStep(candidate, limit));
    }),
    { numRuns: 5_000 },
  );
  assert.equal(nestsDeeperThan('"\\\\"[[', 1), true);
  assert.equal(nestsDeeperThan('"\\\\\\"[["', 1), false);
});

test('describeValue is short and never recurses deeply, whatever the value', () => {
  let deep: unknown = 1;
  for (let index = 0; index < 100_000; index++) deep = { a: deep };
  assert.equal(describeValue(deep), '{"a":{"a":{"a":{…}}}}');
  assert.equal(describeValue(undefined), 'missing');
  assert.equal(describeValue('Pod'), '"Pod"');
  assert.equal(describeValue({ group: '', kind: 'Pod' }), '{"group":"","kind":"Pod"}');
  assert.ok(describeValue('x'.repeat(1_000_000)).length <= 100);
  assert.ok(describeValue(Array.from({ length: 100_000 }, (_, index) => index)).length <= 100);
  fc.assert(
    fc.property(fc.anything(), (value) => {
      assert.ok(describeValue(value).length <= 100);
    }),
  );
});

test('warnings: at most MAX_WARNINGS, the last one counting the rest; each at most MAX_WARNING_LENGTH', () => {
  const many =
    allow(
      'u',
      Array.from({ length: 1000 }, (_, index) => `warning ${index}`),
    ).warnings ?? [];
  assert.equal(many.length, MAX_WARNINGS);
  assert.equal(many.at(-1), `and ${1000 - MAX_WARNINGS + 1} more warnings`);
  const long = allow('u', ['w'.repeat(1_000_000)]).warnings ?? [];
  assert.equal(long[0]?.length, MAX_WARNING_LENGTH);
  assert.deepEqual(allow('u', ['a', 'b']).warnings, ['a', 'b']);
});

test('unknown backup labels: 10 named with a suggestion, the rest counted in one warning', () => {
  const entries: Record<string, string> = { enabled: 'false' };
  for (let index = 0; index < 25; index++) entries[`intervall${String(index).padStart(2, '0')}`] = '4';
  const warnings = decideValidation(request('CREATE', pvc('data-pvc', labels(entries))), context()).warnings ?? [];
  assert.equal(warnings.length, 11);
  assert.equal(warnings[0], `${P}/intervall00 is not a backup label and is ignored: did you mean ${P}/interval?`);
  assert.equal(warnings[10], `and 15 more labels under ${P}/ that are no backup labels are ignored`);
});

test('closestMatch: words longer than a label key can be are not compared', () => {
  assert.equal(closestMatch(`${P}/intervall`, [`${P}/interval`]), `${P}/interval`);
  assert.equal(closestMatch('k'.repeat(MAX_COMPARED_LENGTH + 1), ['k'.repeat(MAX_COMPARED_LENGTH + 1)]), null);
  // Candidates whose length alone puts them too far away are skipped, with the same result.
  assert.equal(closestMatch('retain', ['retain-a-very-long-key', 'retan']), 'retan');
});

test('body budget: reservations wait until they fit; a smaller one that fits goes ahead of a larger one waiting; a release is idempotent', async () => {
  const budget = createBodyBudget(100);
  const first = await budget.reserve(60);
  const order: string[] = [];
  const large = budget.reserve(80).then((release) => {
    order.push('large');
    return release;
  });
  const small = budget.reserve(30).then((release) => {
    order.push('small');
    return release;
  });
  await small;
  assert.deepEqual(order, ['small']);
  assert.deepEqual(budget.usage(), { reserved: 90, waiting: 1 });
  first();
  first();
  await Promise.resolve();
  assert.deepEqual(order, ['small'], 'the large one still does not fit beside the small one');
  (await small)();
  (await large)();
  assert.deepEqual(order, ['small', 'large']);
  // More than the whole budget: granted once nothing else is in flight.
  const holder = await budget.reserve(10);
  const huge = budget.reserve(1_000);
  await Promise.resolve();
  assert.deepEqual(budget.usage(), { reserved: 10, waiting: 1 });
  holder();
  (await huge)();
  assert.deepEqual(budget.usage(), { reserved: 0, waiting: 0 });
});

test('namespace answers: one read per name while kept, shared by concurrent questions, negative ones too; bounded reads in flight', async () => {
  let clock = 0;
  const reads: string[] = [];
  const pending: (() => void)[] = [];
  const answers = createNamespaceAnswers({
    now: () => clock,
    ttlMs: 5_000,
    maxEntries: 3,
    maxInFlight: 2,
    read: (name) => {
      reads.push(name);
      return new Promise((resolve) => pending.push(() => resolve(name === 'team' ? { policy: 'true' } : null)));
    },
  });
  const together = [answers('team'), answers('team'), answers('ghost'), answers('third')];
  // A third name while two reads are in flight: judged without labels, not read.
  assert.equal(await together[3], null);
  for (const resolve of pending.splice(0)) resolve();
  assert.deepEqual(await Promise.all(together.slice(0, 3)), [{ policy: 'true' }, { policy: 'true' }, null]);
  assert.deepEqual(await Promise.all([answers('team'), answers('ghost')]), [{ policy: 'true' }, null]);
  assert.deepEqual(reads, ['team', 'ghost']);
  assert.equal(await answers('Not_A_Name'), null);
  assert.deepEqual(reads, ['team', 'ghost']);
  clock = 5_001;
  const again = answers('ghost');
  for (const resolve of pending.splice(0)) resolve();
  assert.equal(await again, null);
  assert.deepEqual(reads, ['team', 'ghost', 'ghost']);
});

test('firstUnknownBackupLabelKeys: the first keys in sorted order and the total, as a full sort would give', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 40 }),
      fc.integer({ min: 0, max: 12 }),
      (names, limit) => {
        const entries = Object.fromEntries(names.map((name) => [`${P}/${name}`, 'v']));
        const all = unknownBackupLabels(entries, P).map((unknown) => unknown.key);
        assert.deepEqual(firstUnknownBackupLabelKeys(entries, P, limit), {
          keys: all.slice(0, limit),
          total: all.length,
        });
      },
    ),
  );
});
