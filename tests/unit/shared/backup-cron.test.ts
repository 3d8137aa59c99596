import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { backupCron, scheduleHours } from '@longhorn-backup-guard/shared/recurring-job/backup-cron';
import { describeSchedule } from '@longhorn-backup-guard/shared/recurring-job/describe-schedule';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';
import { INTERVAL_HOURS } from '@longhorn-backup-guard/shared/intent/schedule-values';

const at = (hour: number, minute: number) => ({ hour, minute });

describe('backupCron', () => {
  test('start 2100 every 6 h fires at 03, 09, 15, 21 (never 21/6)', () => {
    assert.equal(backupCron(at(21, 0), 6), '0 3,9,15,21 * * *');
  });
  test('the seed default: 0030 every 4 h', () => {
    assert.equal(backupCron(at(0, 30), 4), '30 0,4,8,12,16,20 * * *');
  });
  test('interval 1 uses *, interval 24 a single hour', () => {
    assert.equal(backupCron(at(7, 15), 1), '15 * * * *');
    assert.equal(backupCron(at(23, 59), 24), '59 23 * * *');
    assert.equal(backupCron(at(0, 0), 24), '0 0 * * *');
  });
  test('scheduleHours is sorted and aligned to the start hour', () => {
    assert.deepEqual(scheduleHours(at(23, 0), 8), [7, 15, 23]);
    assert.deepEqual(scheduleHours(at(5, 0), 12), [5, 17]);
  });
});

describe('describeSchedule', () => {
  test('for Events and reports', () => {
    assert.equal(describeSchedule(at(21, 0), 6), 'every 6 h at :00 (03:00, 09:00, 15:00, 21:00 UTC)');
    assert.equal(describeSchedule(at(2, 5), 24), 'every 24 h at :05 (02:05 UTC)');
    assert.match(describeSchedule(at(0, 30), 1), /^every 1 h at :30 \(00:30, 01:30, .* 23:30 UTC\)$/);
  });
});

test('every start and interval: a valid cron that fires exactly 24/interval times a day at the start minute, including the start (property)', () => {
  const start = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
  const day = fc.integer({ min: 0, max: 3650 }).map((n) => Date.UTC(2026, 0, 1) + n * 86_400_000);
  fc.assert(
    fc.property(start, fc.constantFrom(...INTERVAL_HOURS), day, (s, interval, dayStart) => {
      const cron = backupCron(s, interval);
      const parsed = parseStandardCron(cron);
      assert.ok(parsed.ok, cron);
      const fires: Date[] = [];
      let t = nextFireTime(parsed.schedule, new Date(dayStart - 1));
      while (t !== null && t.getTime() < dayStart + 86_400_000) {
        fires.push(t);
        t = nextFireTime(parsed.schedule, t);
      }
      assert.equal(fires.length, 24 / interval, cron);
      assert.ok(fires.every((f) => f.getUTCMinutes() === s.minute && f.getUTCSeconds() === 0));
      assert.ok(fires.some((f) => f.getUTCHours() === s.hour));
      const gaps = fires.slice(1).map((f, i) => f.getTime() - (fires[i]?.getTime() ?? 0));
      assert.ok(gaps.every((gap) => gap === interval * 3_600_000));
    }),
    { numRuns: 300 },
  );
});
