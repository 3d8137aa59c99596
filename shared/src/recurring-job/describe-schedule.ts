import { formatClock, type IntervalHours, type StartTime } from '../intent/schedule-values.ts';
import { scheduleHours } from './backup-cron.ts';

/** For Events and reports: `every 6 h at :00 (03:00, 09:00, 15:00, 21:00 UTC)`. */
export function describeSchedule(start: StartTime, interval: IntervalHours): string {
  const times = scheduleHours(start, interval).map((hour) => formatClock({ hour, minute: start.minute }));
  return `every ${interval} h at :${String(start.minute).padStart(2, '0')} (${times.join(', ')} UTC)`;
}

/** For one table cell: `every 6 h at :00 UTC`, `daily at 21:00 UTC`. */
export function describeScheduleBriefly(start: StartTime, interval: IntervalHours): string {
  if (interval === 24) return `daily at ${formatClock(start)} UTC`;
  return `every ${interval} h at :${String(start.minute).padStart(2, '0')} UTC`;
}
