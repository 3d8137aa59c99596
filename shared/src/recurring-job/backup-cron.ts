// start + interval -> a standard 5-field cron. The hour field is the explicit list of every
// interval-th hour aligned to the start hour: `0 21/6 * * *` would fire at 21:00 only, since
// `H/step` runs from H up to 23. Interval 1 uses `*` (every hour; the 24-item list says the same,
// less readably); interval 24 is a single hour.

import type { IntervalHours, StartTime } from '../intent/schedule-values.ts';

/** scheduleHours by `<start hour>/<interval>`: the start minute does not change them. */
const hoursOf = new Map<string, readonly number[]>();

/** The hours of the day (ascending) a schedule fires in (shared and frozen: at most 24 x 8 lists). */
export function scheduleHours(start: StartTime, interval: IntervalHours): readonly number[] {
  const key = `${start.hour}/${interval}`;
  let hours = hoursOf.get(key);
  if (hours === undefined) {
    const count = 24 / interval;
    hours = Object.freeze(
      Array.from({ length: count }, (_, i) => (start.hour + i * interval) % 24).sort((a, b) => a - b),
    );
    hoursOf.set(key, hours);
  }
  return hours;
}

export function backupCron(start: StartTime, interval: IntervalHours): string {
  const hours = interval === 1 ? '*' : scheduleHours(start, interval).join(',');
  return `${start.minute} ${hours} * * *`;
}
