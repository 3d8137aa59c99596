// robfig/cron v1's Schedule.Next, in UTC (Longhorn's CronJobs carry no time zone and the
// controller-manager runs in UTC on most clusters).

import { parseStandardCron, type CronSchedule } from './parse-standard-cron.ts';

type FieldSchedule = Extract<CronSchedule, { kind: 'fields' }>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function utc(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, 0, 0);
  return date;
}

/** Both day fields must match when either is `*`/`?`, otherwise either may (classic cron). */
function dayMatches(schedule: FieldSchedule, t: Date): boolean {
  const dom = schedule.dayOfMonth.values.has(t.getUTCDate());
  const dow = schedule.dayOfWeek.values.has(t.getUTCDay());
  return schedule.dayOfMonth.star || schedule.dayOfWeek.star ? dom && dow : dom || dow;
}

/** A line-by-line port of SpecSchedule.Next, including its five-year search limit. */
function nextOfFields(schedule: FieldSchedule, after: Date): Date | null {
  let t = new Date(Math.floor(after.getTime() / SECOND) * SECOND + SECOND);
  let added = false;
  const yearLimit = t.getUTCFullYear() + 5;
  wrap: for (;;) {
    if (t.getUTCFullYear() > yearLimit) return null;
    while (!schedule.month.values.has(t.getUTCMonth() + 1)) {
      if (!added) {
        added = true;
        t = utc(t.getUTCFullYear(), t.getUTCMonth(), 1);
      }
      t = utc(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes());
      if (t.getUTCMonth() === 0) continue wrap;
    }
    while (!dayMatches(schedule, t)) {
      if (!added) {
        added = true;
        t = utc(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
      }
      t = utc(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1, t.getUTCHours(), t.getUTCMinutes());
      if (t.getUTCDate() === 1) continue wrap;
    }
    while (!schedule.hour.values.has(t.getUTCHours())) {
      if (!added) {
        added = true;
        t = new Date(Math.floor(t.getTime() / HOUR) * HOUR);
      }
      t = new Date(t.getTime() + HOUR);
      if (t.getUTCHours() === 0) continue wrap;
    }
    while (!schedule.minute.values.has(t.getUTCMinutes())) {
      if (!added) {
        added = true;
        t = new Date(Math.floor(t.getTime() / MINUTE) * MINUTE);
      }
      t = new Date(t.getTime() + MINUTE);
      if (t.getUTCMinutes() === 0) continue wrap;
    }
    // The standard parser's seconds field is always 0.
    while (t.getUTCSeconds() !== 0) {
      added = true;
      t = new Date(t.getTime() + SECOND);
      if (t.getUTCSeconds() === 0) continue wrap;
    }
    return t;
  }
}

/**
 * The first fire time strictly after `after`, or null when there is none within five years
 * (robfig returns the zero time then, e.g. for `0 0 30 2 *`). Throws on an expression that
 * `parseStandardCron` refuses: validate first where the input is not trusted.
 */
export function nextFireTime(expr: string | CronSchedule, after: Date): Date | null {
  let schedule: CronSchedule;
  if (typeof expr === 'string') {
    const parsed = parseStandardCron(expr);
    if (!parsed.ok) throw new Error(`invalid cron ${JSON.stringify(expr)}: ${parsed.error}`);
    schedule = parsed.schedule;
  } else {
    schedule = expr;
  }
  if (schedule.kind === 'every') {
    const next = new Date(Math.floor(after.getTime() / SECOND) * SECOND + schedule.delaySeconds * SECOND);
    return Number.isNaN(next.getTime()) ? null : next;
  }
  return nextOfFields(schedule, after);
}
