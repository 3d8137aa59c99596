// The product's cron judged by robfig/cron v3.0.1 itself, the library Longhorn validates and
// schedules RecurringJobs with (tests/tools/cron-oracle, built once from the Go module proxy).
// Both get the same expressions and must agree on acceptance and on the next fire times: every
// schedule the product can generate (every start x interval), and at least 10,000 random standard
// expressions from a seeded generator. A failure prints the seed; LBG_CRON_SEED=<seed> replays it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { backupCron } from '@longhorn-backup-guard/shared/recurring-job/backup-cron';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';
import { INTERVAL_HOURS } from '@longhorn-backup-guard/shared/intent/schedule-values';
import { WEEKDAYS } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { policyCron } from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import { cronOracle, haveTool } from '../../tools/tools.ts';

interface Case {
  readonly expr: string;
  readonly after: Date;
  /** How many consecutive fire times to compare. */
  readonly n: number;
}

/** Acceptance and the fire times (RFC 3339, whole seconds); an empty list past the 5-year limit. */
interface Verdict {
  readonly ok: boolean;
  readonly next: readonly string[];
}

const rfc3339 = (t: Date): string => t.toISOString().replace('.000Z', 'Z');

function productVerdict({ expr, after, n }: Case): Verdict {
  const parsed = parseStandardCron(expr);
  if (!parsed.ok) return { ok: false, next: [] };
  const next: string[] = [];
  let t: Date | null = after;
  while (next.length < n && (t = nextFireTime(parsed.schedule, t)) !== null) next.push(rfc3339(t));
  return { ok: true, next };
}

function oracleVerdicts(oracle: string, cases: readonly Case[]): Verdict[] {
  const input = cases.map(({ expr, after, n }) => JSON.stringify({ expr, after: after.toISOString(), n })).join('\n');
  const run = spawnSync(oracle, [], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { TZ: 'UTC' } });
  assert.equal(run.status, 0, `the cron oracle failed: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, cases.length, 'one answer per expression');
  return lines.map((line) => {
    const answer = JSON.parse(line) as { ok: boolean; next: string[] | null };
    return { ok: answer.ok, next: answer.next ?? [] };
  });
}

/** Every case on which the product and robfig disagree, described (the first few). */
function disagreements(oracle: string, cases: readonly Case[]): { count: number; shown: string[] } {
  const judged = oracleVerdicts(oracle, cases);
  const shown: string[] = [];
  let count = 0;
  cases.forEach((c, i) => {
    const product = productVerdict(c);
    const robfig = judged[i];
    if (robfig && product.ok === robfig.ok && product.next.join() === robfig.next.join()) return;
    count += 1;
    if (shown.length < 10) {
      shown.push(
        `${JSON.stringify(c.expr)} after ${c.after.toISOString()}: product ${JSON.stringify(product)}, robfig ${JSON.stringify(robfig)}`,
      );
    }
  });
  return { count, shown };
}

async function oracleOrSkip(t: TestContext): Promise<string | undefined> {
  const oracle = await cronOracle();
  return haveTool(t, 'the cron oracle (needs Go)', oracle) ? oracle : undefined;
}

// --- the random standard expressions -------------------------------------------------------------

interface FieldRange {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}
const FIELDS: readonly FieldRange[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const anyCase = (word: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));

/** A number or name for the field: mostly in range, sometimes just outside it, sometimes odd. */
function atom({ min, max, names }: FieldRange): fc.Arbitrary<string> {
  const arbitraries: fc.WeightedArbitrary<string>[] = [
    { weight: 40, arbitrary: fc.integer({ min, max }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(min - 1, max + 1, max + 10, 7, 24, 60).map(String) },
    { weight: 2, arbitrary: fc.integer({ min, max }).map((v) => `0${v}`) },
    { weight: 1, arbitrary: fc.constantFrom('+5', '-1', '99999999999999999999', 'x', 'L', '15W', '1#2', '') },
  ];
  if (names)
    arbitraries.push(
      { weight: 15, arbitrary: fc.constantFrom(...names).chain(anyCase) },
      { weight: 1, arbitrary: fc.constantFrom('sunday', 'janu') },
    );
  return fc.oneof(...arbitraries);
}

/** `low-high`: mostly in order and in range (names where the field has them), sometimes anything. */
function range(field: FieldRange): fc.Arbitrary<string> {
  const { min, max, names } = field;
  const spell = (value: number): fc.Arbitrary<string> =>
    names ? fc.constantFrom(String(value), names[value - min] ?? String(value)) : fc.constant(String(value));
  const ordered = fc
    .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
    .chain(([a, b]) => fc.tuple(spell(Math.min(a, b)), spell(Math.max(a, b))))
    .map(([low, high]) => `${low}-${high}`);
  return fc.oneof(
    { weight: 5, arbitrary: ordered },
    { weight: 1, arbitrary: fc.tuple(atom(field), atom(field)).map(([a, b]) => `${a}-${b}`) },
  );
}

const step: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 1, max: 13 }).map(String) },
  { weight: 4, arbitrary: fc.integer({ min: 14, max: 70 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', '', 'x', '1/2') },
);

/** One comma-separated item: `*`, `?`, a value, a range, any of them with a step, or junk. */
function item(field: FieldRange): fc.Arbitrary<string> {
  const value = atom(field);
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('*', '?') },
    { weight: 12, arbitrary: value },
    { weight: 8, arbitrary: range(field) },
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom('*', '?'), step).map(([s, k]) => `${s}/${k}`) },
    { weight: 4, arbitrary: fc.tuple(value, step).map(([a, k]) => `${a}/${k}`) },
    { weight: 4, arbitrary: fc.tuple(range(field), step).map(([r, k]) => `${r}/${k}`) },
    { weight: 1, arbitrary: value.map((a) => `*-${a}`) },
    { weight: 1, arbitrary: fc.constantFrom('-', '/', '1-2-3', '*/2/3', ',') },
  );
}

const field = (bounds: FieldRange): fc.Arbitrary<string> =>
  fc.array(item(bounds), { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \t ');

const fiveFields: fc.Arbitrary<string> = fc
  .record({
    fields: fc.tuple(...FIELDS.map(field)),
    separators: fc.array(separator, { minLength: 4, maxLength: 4 }),
    trail: fc.constantFrom('', '', '', ' ', '\t'),
  })
  .map(({ fields, separators, trail }) => fields.map((f, i) => f + (separators[i] ?? '')).join('') + trail);

const wrongFieldCount: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 4 }), fiveFields, fc.constantFrom('0', '*', '?'))
  .map(([drop, expr, extra]) =>
    drop === 0
      ? `${extra} ${expr}`
      : expr
          .trim()
          .split(/\s+/)
          .slice(0, 5 - drop)
          .join(' '),
  );

const descriptorExpr: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@reboot',
    '@Daily',
    '@every',
    ' @daily',
    '@daily ',
  ),
  fc
    .oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 100 }), fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'h'))
        .map(([v, unit]) => `${v}${unit}`),
      fc.constantFrom(
        '1h30m',
        '1.5h',
        '90s',
        '0s',
        '-5m',
        '5',
        '5x',
        '1h-1m',
        '9999999999h',
        '.5s',
        '2562047h47m16.854775807s',
      ),
    )
    .map((duration) => `@every ${duration}`),
);

const expression: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fiveFields },
  { weight: 2, arbitrary: wrongFieldCount },
  { weight: 2, arbitrary: descriptorExpr },
);

// Seconds and milliseconds included: robfig truncates to the second before it searches.
const instant = fc.date({
  min: new Date('1971-01-01T00:00:00Z'),
  max: new Date('2090-12-31T23:59:59Z'),
  noInvalidDate: true,
});

const RANDOM_EXPRESSIONS = 12_000;

describe('the product cron against robfig/cron v3.0.1 (the cron oracle)', () => {
  test('every schedule the product generates, from every start and interval, fires when robfig says', async (t) => {
    const oracle = await oracleOrSkip(t);
    if (!oracle) return;
    const generated = new Set<string>();
    for (const interval of INTERVAL_HOURS) {
      for (let hour = 0; hour < 24; hour++) {
        for (let minute = 0; minute < 60; minute++) generated.add(backupCron({ hour, minute }, interval));
      }
    }
    // Each over a little more than a day, from an ordinary day and across a leap day and a year end.
    const afters = ['2026-03-14T09:26:53.589Z', '2028-02-28T23:59:59.999Z', '2026-12-31T22:30:00Z'].map(
      (at) => new Date(at),
    );
    const cases = [...generated].flatMap((expr) => afters.map((after) => ({ expr, after, n: 26 })));
    assert.ok(generated.size >= 3600, `${generated.size} distinct schedules`);
    const { count, shown } = disagreements(oracle, cases);
    assert.equal(count, 0, `robfig disagrees on ${count} of ${cases.length} generated schedules:\n${shown.join('\n')}`);
  });

  test('every weekly policy schedule fires on its day of the week, as robfig says', async (t) => {
    const oracle = await oracleOrSkip(t);
    if (!oracle) return;
    const cases = WEEKDAYS.flatMap((day) =>
      [0, 3, 12, 23].flatMap((hour) =>
        [0, 30, 59].map((minute) => ({
          expr: policyCron({ kind: 'weekly', day, at: { hour, minute } }),
          after: new Date('2026-03-14T09:26:53.589Z'),
          n: 3,
        })),
      ),
    );
    const { count, shown } = disagreements(oracle, cases);
    assert.equal(count, 0, `robfig disagrees on ${count} weekly schedules:\n${shown.join('\n')}`);
    for (const c of cases) {
      const fires = productVerdict(c).next.map((at) => new Date(at).getUTCDay());
      const day = WEEKDAYS.findIndex((name) => c.expr.endsWith(` ${WEEKDAYS.indexOf(name)}`));
      assert.deepEqual(fires, [day, day, day], c.expr);
    }
  });

  test('the one difference, on purpose: robfig accepts a TZ=/CRON_TZ= prefix, the product refuses it', async (t) => {
    const oracle = await oracleOrSkip(t);
    if (!oracle) return;
    // Kubernetes refuses TZ in a CronJob's schedule, so a job with one would never run.
    const cases = ['TZ=UTC 0 2 * * *', 'CRON_TZ=Europe/Amsterdam 30 1 * * *'].map((expr) => ({
      expr,
      after: new Date('2026-01-01T00:00:00Z'),
      n: 1,
    }));
    assert.deepEqual(
      oracleVerdicts(oracle, cases).map((v) => v.ok),
      [true, true],
    );
    assert.deepEqual(
      cases.map((c) => productVerdict(c).ok),
      [false, false],
    );
  });

  test(`${RANDOM_EXPRESSIONS} random standard expressions: same verdict, same next 5 fire times`, async (t) => {
    const oracle = await oracleOrSkip(t);
    if (!oracle) return;
    const seed = Number(process.env.LBG_CRON_SEED ?? Date.now() % 2 ** 31);
    const cases = fc
      .sample(fc.record({ expr: expression, after: instant }), { seed, numRuns: RANDOM_EXPRESSIONS })
      .map((c) => ({ ...c, n: 5 }));
    const accepted = cases.filter((c) => productVerdict(c).ok).length;
    t.diagnostic(`seed ${seed}: ${accepted} of ${cases.length} expressions valid`);
    const { count, shown } = disagreements(oracle, cases);
    assert.equal(
      count,
      0,
      `seed ${seed} (replay: LBG_CRON_SEED=${seed} node --test ${import.meta.filename}): robfig disagrees on ${count} of ${cases.length}:\n${shown.join('\n')}`,
    );
    // The generator must exercise both sides, or agreement proves little.
    assert.ok(
      accepted > RANDOM_EXPRESSIONS / 4 && accepted < (RANDOM_EXPRESSIONS * 3) / 4,
      `seed ${seed}: ${accepted} of ${RANDOM_EXPRESSIONS} accepted`,
    );
  });
});
