// The five schedule settings a PVC may set and the ConfigMap defaults.

export const INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;
export type IntervalHours = (typeof INTERVAL_HOURS)[number];

/** A time of day in UTC (Longhorn's CronJobs run in the controller-manager's zone, UTC). */
export interface StartTime {
  readonly hour: number;
  readonly minute: number;
}

export interface BackupSettings {
  readonly retain: number;
  readonly interval: IntervalHours;
  readonly start: StartTime;
  readonly fullBackupInterval: number;
  readonly concurrency: number;
}

export type SettingName = keyof BackupSettings;

export const SETTING_NAMES: readonly SettingName[] = ['retain', 'interval', 'start', 'fullBackupInterval', 'concurrency'];

/** `HHMM`, the label form (a colon cannot be in a label value). */
export function formatStart(start: StartTime): string {
  return `${String(start.hour).padStart(2, '0')}${String(start.minute).padStart(2, '0')}`;
}

/** `HH:MM`, the form people read. */
export function formatClock(start: StartTime): string {
  return `${String(start.hour).padStart(2, '0')}:${String(start.minute).padStart(2, '0')}`;
}
