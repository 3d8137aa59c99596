// robfig/cron v3's SpecSchedule.Next, in UTC (Longhorn's CronJobs carry no time zone and the
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

const truncate = (t: Date, unit: number): Date => new Date(Math.floor(t.getTime() / unit) * unit);
const plus = (t: Date, unit: number): Date => new Date(t.getTime() + unit);

/**
 * A port of SpecSchedule.Next, including its five-year search limit: field by field from the
 * month down, step the time until the field matches; truncate the smaller fields the first time
 * anything is stepped; start over from the month whenever a step wraps the larger field.
 */
function nextOfFields(schedule: FieldSchedule, after: Date): Date | null {
  let t = plus(truncate(after, SECOND), SECOND);
  let added = false;
  const yearLimit = t.getUTCFullYear() + 5;

  /** Steps `t` until `matches`; true when a step wrapped (then search again from the month). */
  function advance(
    matches: (t: Date) => boolean,
    truncated: (t: Date) => Date,
    step: (t: Date) => Date,
    wrapped: (t: Date) => boolean,
  ): boolean {
    while (!matches(t)) {
      if (!added) {
        added = true;
        t = truncated(t);
      }
      t = step(t);
      if (wrapped(t)) return true;
    }
    return false;
  }

  for (;;) {
    if (t.getUTCFullYear() > yearLimit) return null;
    const wrapped =
      advance(
        (d) => schedule.month.values.has(d.getUTCMonth() + 1),
        (d) => utc(d.getUTCFullYear(), d.getUTCMonth(), 1),
        (d) => utc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()),
        (d) => d.getUTCMonth() === 0,
      ) ||
      advance(
        (d) => dayMatches(schedule, d),
        (d) => utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
        (d) => utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, d.getUTCHours(), d.getUTCMinutes()),
        (d) => d.getUTCDate() === 1,
      ) ||
      advance(
        (d) => schedule.hour.values.has(d.getUTCHours()),
        (d) => truncate(d, HOUR),
        (d) => plus(d, HOUR),
        (d) => d.getUTCHours() === 0,
      ) ||
      advance(
        (d) => schedule.minute.values.has(d.getUTCMinutes()),
        (d) => truncate(d, MINUTE),
        (d) => plus(d, MINUTE),
        (d) => d.getUTCMinutes() === 0,
      ) ||
      // The standard parser's seconds field is always 0.
      advance(
        (d) => d.getUTCSeconds() === 0,
        (d) => d,
        (d) => plus(d, SECOND),
        (d) => d.getUTCSeconds() === 0,
      );
    if (!wrapped) return t;
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
    const next = plus(truncate(after, SECOND), schedule.delaySeconds * SECOND);
    return Number.isNaN(next.getTime()) ? null : next;
  }
  return nextOfFields(schedule, after);
}
