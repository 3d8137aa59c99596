// A policy schedule -> its Longhorn RecurringJob `policy-<policy>-<schedule>`, in the policy's
// group, shared by every PVC on the policy (their volumes carry the group label, not the job's).

import type { GuardConfig } from '../config/guard-config.ts';
import { backupLabelKeys } from '../intent/label-keys.ts';
import { formatClock } from '../intent/schedule-values.ts';
import { LONGHORN_API_VERSION } from '../longhorn/api.ts';
import type { RecurringJob } from '../longhorn/types.ts';
import { WEEKDAYS, type BackupPolicy, type PolicySchedule, type PolicyTiming } from '../policy/backup-policy.ts';
import { backupCron } from './backup-cron.ts';
import type { DesiredRecurringJob } from './desired-recurring-job.ts';
import { describeSchedule } from './describe-schedule.ts';

/** Standard 5-field cron (robfig ParseStandard): weekly uses cron's day of week, 0-6 with Sunday 0. */
export function policyCron(timing: PolicyTiming): string {
  if (timing.kind === 'every') return backupCron(timing.start, timing.interval);
  if (timing.kind === 'daily') return backupCron(timing.at, 24);
  return `${timing.at.minute} ${timing.at.hour} * * ${WEEKDAYS.indexOf(timing.day)}`;
}

/** For Events and reports: `backup daily at 02:00 UTC, retain 7`. */
export function describePolicySchedule(schedule: PolicySchedule): string {
  const { timing } = schedule;
  const when =
    timing.kind === 'every'
      ? describeSchedule(timing.start, timing.interval)
      : timing.kind === 'daily'
        ? `daily at ${formatClock(timing.at)} UTC`
        : `weekly on ${timing.day} at ${formatClock(timing.at)} UTC`;
  return `${schedule.task} ${when}, retain ${schedule.retain}`;
}

/** For one table cell: `daily 02:00`, `sun 03:00`, `6h :30`, a snapshot's with `snapshot`. */
export function describePolicyScheduleBriefly(schedule: PolicySchedule): string {
  const { timing } = schedule;
  const when =
    timing.kind === 'every'
      ? `every ${timing.interval} h at :${String(timing.start.minute).padStart(2, '0')}`
      : timing.kind === 'daily'
        ? `daily ${formatClock(timing.at)}`
        : `${timing.day} ${formatClock(timing.at)}`;
  return schedule.task === 'snapshot' ? `snapshot ${when}` : when;
}

/** The labels that make a job this product's job of that policy. */
export function policyJobLabels(policyName: string, config: GuardConfig): Record<string, string> {
  const keys = backupLabelKeys(config.labelPrefix);
  return { [keys.managed]: 'true', [keys.sourcePolicy]: policyName };
}

/** The policy a managed job is a schedule of, or null for any other job. */
export function policyOfJob(job: RecurringJob, config: GuardConfig): string | null {
  const keys = backupLabelKeys(config.labelPrefix);
  const labels = job.metadata.labels ?? {};
  return labels[keys.managed] === 'true' ? (labels[keys.sourcePolicy] ?? null) : null;
}

export function desiredPolicyJob(
  policy: BackupPolicy,
  schedule: PolicySchedule,
  config: GuardConfig,
): DesiredRecurringJob {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'RecurringJob',
    metadata: {
      name: schedule.jobName,
      namespace: config.longhornNamespace,
      labels: policyJobLabels(policy.name, config),
    },
    spec: {
      name: schedule.jobName,
      task: schedule.task,
      cron: policyCron(schedule.timing),
      retain: schedule.retain,
      concurrency: schedule.concurrency,
      groups: [policy.group],
      labels: {},
      parameters:
        schedule.fullBackupInterval === null ? {} : { 'full-backup-interval': String(schedule.fullBackupInterval) },
    },
  };
}
