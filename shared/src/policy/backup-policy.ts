// A backup policy: a named set of schedules in the ConfigMap (`policies:`), asked for by a PVC
// with one label, `<p>/policy`. Each schedule is one Longhorn RecurringJob
// `policy-<policy>-<schedule>` in the group `policy-<policy>`; the PVC's volume joins the group,
// so any number of PVCs on a policy share its jobs. Groups named `policy-*` are the product's.

import type { IntervalHours, StartTime } from '../intent/schedule-values.ts';

export type PolicyTask = 'backup' | 'snapshot';

export const POLICY_TASKS: readonly PolicyTask[] = ['backup', 'snapshot'];

/** Cron's day of week (robfig ParseStandard: 0-6, Sunday 0), by the names the ConfigMap uses. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type PolicyTiming =
  | { readonly kind: 'every'; readonly interval: IntervalHours; readonly start: StartTime }
  | { readonly kind: 'daily'; readonly at: StartTime }
  | { readonly kind: 'weekly'; readonly day: Weekday; readonly at: StartTime };

export interface PolicySchedule {
  /** Unique within the policy: `daily`, `weekly`, `every-6h` (`snapshot-` before a snapshot's), or as given. */
  readonly name: string;
  /** `policy-<policy>-<schedule>`, at most 40 characters. */
  readonly jobName: string;
  readonly task: PolicyTask;
  readonly timing: PolicyTiming;
  readonly retain: number;
  readonly concurrency: number;
  /** Every Nth backup is a full one; null for a snapshot task. */
  readonly fullBackupInterval: number | null;
}

export interface BackupPolicy {
  readonly name: string;
  /** The Longhorn group of its jobs, `policy-<name>`. */
  readonly group: string;
  readonly schedules: readonly PolicySchedule[];
}

export const POLICY_GROUP_PREFIX = 'policy-';

export function policyGroup(policyName: string): string {
  return `${POLICY_GROUP_PREFIX}${policyName}`;
}

export function policyJobName(policyName: string, scheduleName: string): string {
  return `${POLICY_GROUP_PREFIX}${policyName}-${scheduleName}`;
}

/** The policy of that name, if configured (a list, so a name such as `constructor` is only a name). */
export function policyNamed(policies: readonly BackupPolicy[], name: string): BackupPolicy | undefined {
  return policies.find((policy) => policy.name === name);
}

/** How often a timing fires, in hours (the health stale window of a policy PVC uses the smallest). */
export function timingPeriodHours(timing: PolicyTiming): number {
  if (timing.kind === 'every') return timing.interval;
  return timing.kind === 'daily' ? 24 : 24 * 7;
}
