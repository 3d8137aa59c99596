import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseGoDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';

function next(expr: string, after: string): string | undefined {
  return nextFireTime(expr, new Date(after))?.toISOString();
}

function error(expr: string): string | undefined {
  const parsed = parseStandardCron(expr);
  return parsed.ok ? undefined : parsed.error;
}

describe('parseStandardCron beyond the vectors', () => {
  test('names in any case, ranges and lists of names', () => {
    for (const expr of ['0 0 * JAN-mar *', '0 0 * * SUN,sat', '0 0 * dec MON-FRI', '? ? ? ? ?'])
      assert.equal(error(expr), undefined, expr);
    assert.equal(
      error('0 0 * * sunday'),
      'Failed to parse int from sunday: strconv.Atoi: parsing "sunday": invalid syntax',
    );
    assert.equal(error('0 0 * jan-mon *'), 'Failed to parse int from mon: strconv.Atoi: parsing "mon": invalid syntax');
  });

  test("robfig's quirks are kept", () => {
    assert.equal(error('*-5 * * * *'), undefined); // a range starting with * ignores the rest
    assert.equal(error('1,,2 * * * *'), undefined); // empty list items are skipped
    assert.equal(error('+5 * * * *'), undefined); // Atoi accepts a sign
    assert.equal(next('*/61 * * * *', '2026-01-01T00:00:00Z'), '2026-01-01T01:00:00.000Z');
    assert.equal(next('50/5 * * * *', '2026-01-01T00:00:00Z'), '2026-01-01T00:50:00.000Z');
  });

  test('errors in robfig words', () => {
    assert.equal(
      error('99999999999999999999 * * * *'),
      'Failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range',
    );
    assert.equal(error('*/-1 * * * *'), 'Negative number (-1) not allowed: -1');
    assert.equal(error('@every'), 'Unrecognized descriptor: @every');
    assert.equal(error('@every 5'), 'Failed to parse duration @every 5: time: missing unit in duration "5"');
    assert.equal(error('@every 5x'), 'Failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"');
    assert.equal(error('@Daily'), 'Unrecognized descriptor: @Daily');
    assert.equal(error(' @daily'), 'Expected exactly 5 fields, found 1:  @daily');
    assert.equal(error('0 0 * * 0 1'), 'Expected exactly 5 fields, found 6: 0 0 * * 0 1');
    assert.equal(error('0 12-6 * * *'), 'Beginning of range (12) beyond end of range (6): 12-6');
  });

  test('tabs and other Go whitespace separate fields', () => {
    assert.equal(error('0\t2\n*\u00A0*\u0085*'), undefined);
  });
});

describe('nextFireTime', () => {
  test('day-of-month OR day-of-week when both are restricted, AND when either is *', () => {
    // 2026-01-01 is a Thursday.
    assert.equal(next('0 0 15 * 1', '2026-01-01T00:00:00Z'), '2026-01-05T00:00:00.000Z');
    // A `*` with a step above 1 is no star for robfig v3 (the cron oracle found it): odd days OR Mondays.
    assert.equal(next('0 0 */2 * 1', '2026-01-01T00:00:00Z'), '2026-01-03T00:00:00.000Z');
    assert.equal(next('0 0 */1 * 1', '2026-01-01T00:00:00Z'), '2026-01-05T00:00:00.000Z');
    assert.equal(next('0 0 15 * *', '2026-01-01T00:00:00Z'), '2026-01-15T00:00:00.000Z');
  });

  test('strictly after, whatever the milliseconds', () => {
    assert.equal(next('30 2 * * *', '2026-01-01T02:30:00.000Z'), '2026-01-02T02:30:00.000Z');
    assert.equal(next('30 2 * * *', '2026-01-01T02:29:59.999Z'), '2026-01-01T02:30:00.000Z');
  });

  test('leap days, month ends and year ends', () => {
    assert.equal(next('0 0 29 2 *', '2026-01-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('0 0 31 * *', '2026-04-01T00:00:00Z'), '2026-05-31T00:00:00.000Z');
    assert.equal(next('59 23 31 12 *', '2026-12-31T23:59:00Z'), '2027-12-31T23:59:00.000Z');
  });

  test('never within five years -> null (robfig returns the zero time)', () => {
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
    assert.equal(nextFireTime('0 0 30 2 *', new Date('2026-01-01T00:00:00Z')), null);
  });

  test('@every keeps whole seconds, at least one', () => {
    assert.equal(next('@every 1500ms', '2026-01-01T00:00:00.700Z'), '2026-01-01T00:00:01.000Z');
    assert.equal(next('@every -5s', '2026-01-01T00:00:00Z'), '2026-01-01T00:00:01.000Z');
    assert.equal(next('@every 0', '2026-01-01T00:00:00Z'), '2026-01-01T00:00:01.000Z');
  });

  test('agrees with a brute-force minute scan (property)', () => {
    const field = (max: number, min = 0) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min, max }).map(String),
        fc.integer({ min: 1, max: 7 }).map((step) => `*/${step}`),
      );
    const expression = fc
      .tuple(field(59), field(23), field(31, 1), field(12, 1), field(6))
      .map((fields) => fields.join(' '));
    const start = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(expression, start, (expr, after) => {
        const parsed = parseStandardCron(expr);
        assert.ok(parsed.ok);
        const got = nextFireTime(parsed.schedule, after);
        fc.pre(got !== null && got.getTime() - after.getTime() < 40 * 86_400_000);
        const s = parsed.schedule;
        assert.ok(s.kind === 'fields');
        const matches = (t: Date) => {
          const dom = s.dayOfMonth.values.has(t.getUTCDate());
          const dow = s.dayOfWeek.values.has(t.getUTCDay());
          const day = s.dayOfMonth.star || s.dayOfWeek.star ? dom && dow : dom || dow;
          return (
            day &&
            s.minute.values.has(t.getUTCMinutes()) &&
            s.hour.values.has(t.getUTCHours()) &&
            s.month.values.has(t.getUTCMonth() + 1)
          );
        };
        let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
        while (!matches(new Date(t))) t += 60_000;
        assert.equal(got.toISOString(), new Date(t).toISOString(), expr);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Go durations', () => {
  const ok = (text: string) => {
    const parsed = parseGoDuration(text);
    return parsed.ok ? parsed.nanoseconds : parsed.error;
  };
  test('accepted forms', () => {
    assert.equal(ok('1h30m'), 5_400_000_000_000n);
    assert.equal(ok('90s'), 90_000_000_000n);
    assert.equal(ok('1.5h'), 5_400_000_000_000n);
    assert.equal(ok('.5s'), 500_000_000n);
    assert.equal(ok('1µs'), 1000n);
    assert.equal(ok('1μs'), 1000n);
    assert.equal(ok('-2m'), -120_000_000_000n);
    assert.equal(ok('+0'), 0n);
    assert.equal(ok('2562047h47m16.854775807s'), (1n << 63n) - 1n);
  });
  test('refused forms, with Go messages', () => {
    assert.equal(ok(''), 'time: invalid duration ""');
    assert.equal(ok('1'), 'time: missing unit in duration "1"');
    assert.equal(ok('1d'), 'time: unknown unit "d" in duration "1d"');
    assert.equal(ok('.s'), 'time: invalid duration ".s"');
    assert.equal(ok('1h 2m'), 'time: unknown unit "h " in duration "1h 2m"');
    assert.equal(ok('3000000h'), 'time: invalid duration "3000000h"');
  });
  test('formatDuration is short and parses back (property)', () => {
    assert.equal(formatDuration(86_400_000), '24h');
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(1500), '1s500ms');
    assert.equal(formatDuration(0), '0s');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (ms) => {
        const parsed = parseGoDuration(formatDuration(ms));
        assert.ok(parsed.ok);
        assert.equal(parsed.nanoseconds, BigInt(ms) * 1_000_000n);
      }),
    );
  });
});
