// The value types of the two schedule labels (interval and start) and their text forms.

export const INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;
export type IntervalHours = (typeof INTERVAL_HOURS)[number];

/** A time of day in UTC (Longhorn's CronJobs run in the controller-manager's zone, UTC). */
export interface StartTime {
  readonly hour: number;
  readonly minute: number;
}

/** `HHMM`, the label form (a colon cannot be in a label value). */
export function formatStart(start: StartTime): string {
  return `${String(start.hour).padStart(2, '0')}${String(start.minute).padStart(2, '0')}`;
}

/** `HH:MM`, the form people read. */
export function formatClock(start: StartTime): string {
  return `${String(start.hour).padStart(2, '0')}:${String(start.minute).padStart(2, '0')}`;
}
