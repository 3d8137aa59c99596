// start + interval -> a standard 5-field cron. The hour field is the explicit list of every
// interval-th hour aligned to the start hour: `0 21/6 * * *` would fire at 21:00 only, since
// `H/step` runs from H up to 23. Interval 1 uses `*` (every hour; the 24-item list says the same,
// less readably); interval 24 is a single hour.

import type { IntervalHours, StartTime } from '../intent/schedule-values.ts';

/** The hours of the day (ascending) a schedule fires in. */
export function scheduleHours(start: StartTime, interval: IntervalHours): number[] {
  const count = 24 / interval;
  return Array.from({ length: count }, (_, i) => (start.hour + i * interval) % 24).sort((a, b) => a - b);
}

export function backupCron(start: StartTime, interval: IntervalHours): string {
  const hours = interval === 1 ? '*' : scheduleHours(start, interval).join(',');
  return `${start.minute} ${hours} * * *`;
}
