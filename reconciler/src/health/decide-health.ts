// The backup-health part of a reconcile, for an opted-in PVC whose job exists: assess the health,
// report it (the gauges), and on a state change only, record the new state on the job (label
// `<p>/health`, annotation `<p>/health-summary`) with an Event on the PVC. A PVC on a policy is
// assessed and reported only (policyHealth). Pure.

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import {
  backupHealthKeys,
  formatBackupHealthSummary,
  isBackupHealthState,
  parseBackupHealthSummary,
  type BackupHealthState,
  type BackupHealthSummary,
} from '@longhorn-backup-guard/shared/health/health-summary';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { policyNamed, timingPeriodHours } from '@longhorn-backup-guard/shared/policy/backup-policy';
import type { Action, EventSpec } from '../model/actions.ts';
import { intentOf } from '../model/intent-of.ts';
import { pvcObject } from '../model/involved-objects.ts';
import { EMPTY_REPORT, type JobHealthReport } from '../model/key-report.ts';
import { jobTarget } from '../model/object-targets.ts';
import { formatRfc3339 } from '../model/rfc3339.ts';
import type { Decision, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';
import { assessHealth, type BackupHealth } from './assess-health.ts';
import type { BackupRecord } from './backup-record.ts';

/** Event reasons of health transitions (stable: people grep for them). */
export const HEALTH_REASONS = {
  stale: 'BackupStale',
  failing: 'BackupFailing',
  healthy: 'BackupHealthy',
  detached: 'BackupNotRunning',
} as const;

/** The Backups (lean) whose RecurringJob label names a job. */
export type BackupsOfJob = (jobName: string) => readonly BackupRecord[];

const NOTHING: Decision = { actions: [], report: EMPTY_REPORT };

/** Time enough after a deadline that the clock has surely passed it when the key comes back. */
const DEADLINE_MARGIN_MS = 1_000;

function summaryOf(health: BackupHealth, now: Date): BackupHealthSummary {
  const { lastSuccess, lastFailure } = health;
  return {
    state: health.state,
    since: formatRfc3339(now),
    reason: health.reason,
    ...(lastSuccess === undefined
      ? {}
      : { lastSuccessBackup: lastSuccess.name, lastSuccessAt: formatRfc3339(new Date(lastSuccess.at)) }),
    ...(lastFailure === undefined
      ? {}
      : {
          lastFailureAt: formatRfc3339(new Date(lastFailure.at)),
          ...(lastFailure.error === undefined ? {} : { lastError: lastFailure.error }),
        }),
  };
}

/** The Event of a transition from `before` (undefined: nothing recorded) to `health`, if it deserves one. */
function transitionEvent(
  pvc: V1PersistentVolumeClaim,
  jobName: string,
  before: BackupHealthState | undefined,
  health: BackupHealth,
): EventSpec | undefined {
  const event = (type: EventSpec['type'], reason: string, message: string): EventSpec => ({
    involvedObject: pvcObject(pvc),
    type,
    reason,
    message,
  });
  switch (health.state) {
    case 'stale':
      return event('Warning', HEALTH_REASONS.stale, `backups of RecurringJob ${jobName} are stale: ${health.reason}`);
    case 'failing':
      return event('Warning', HEALTH_REASONS.failing, health.reason);
    case 'detached':
      return event('Normal', HEALTH_REASONS.detached, `backups of RecurringJob ${jobName} are ${health.reason}`);
    case 'healthy': {
      if (before === undefined || before === 'unknown') return undefined;
      const last =
        health.lastSuccess === undefined
          ? ''
          : `: Backup ${health.lastSuccess.name} completed at ${formatRfc3339(new Date(health.lastSuccess.at))}`;
      const why =
        before === 'detached'
          ? `the volume is attached again and backups resume with the next scheduled run`
          : `backups of RecurringJob ${jobName} are healthy again${last}`;
      return event('Normal', HEALTH_REASONS.healthy, why);
    }
    case 'unknown':
      return undefined;
  }
}

function reportOf(jobName: string, health: BackupHealth): JobHealthReport {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return {
    job: jobName,
    state: health.state,
    completedCount: health.completedCount,
    ...(health.lastSuccess === undefined ? {} : { lastSuccessAt: seconds(health.lastSuccess.at) }),
    ...(health.lastFailure === undefined ? {} : { lastFailureAt: seconds(health.lastFailure.at) }),
  };
}

/** The recorded state and summary of a job (label and annotation). */
export function recordedHealth(
  job: RecurringJob,
  labelPrefix: string,
): { readonly state: BackupHealthState | undefined; readonly summary: BackupHealthSummary | undefined } {
  const keys = backupHealthKeys(labelPrefix);
  const label = job.metadata.labels?.[keys.state];
  const summary = parseBackupHealthSummary(job.metadata.annotations?.[keys.summary]);
  return {
    state: isBackupHealthState(label) ? label : undefined,
    summary: summary?.state === label ? summary : undefined,
  };
}

/**
 * A policy PVC's health, reported only (gauges and alerts; no record, no Event): the Backups of its
 * volume made by the policy's most frequent backup schedule, whose cron sets the stale window,
 * counted from the later of the job's and the PVC's creation. Its own job, kept for an archive,
 * runs nothing and is not assessed.
 */
function policyHealth(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  policyName: string,
  backupsOfJob: BackupsOfJob,
): Decision {
  const { config, now, volume } = snapshot;
  const backupSchedules = (policyNamed(config.policies, policyName)?.schedules ?? []).filter(
    (schedule) => schedule.task === 'backup',
  );
  const [schedule] = [...backupSchedules].sort((a, b) => timingPeriodHours(a.timing) - timingPeriodHours(b.timing));
  const job = schedule === undefined ? undefined : snapshot.jobNamed(schedule.jobName);
  if (schedule === undefined || job === undefined) return NOTHING;
  const since = Math.max(
    Date.parse(job.metadata.creationTimestamp ?? '') || 0,
    pvc.metadata?.creationTimestamp === undefined ? 0 : new Date(pvc.metadata.creationTimestamp).getTime(),
  );
  const volumeName = volume?.metadata.name;
  const health = assessHealth({
    jobName: schedule.jobName,
    cron: job.spec?.cron ?? '',
    retain: job.spec?.retain ?? 0,
    jobCreatedAt: since === 0 ? undefined : new Date(since),
    backups: backupsOfJob(schedule.jobName).filter(
      (backup) => backup.job === schedule.jobName && backup.volume !== undefined && backup.volume === volumeName,
    ),
    volume: volume === undefined ? undefined : { name: volumeName ?? '', state: volume.status?.state },
    recorded: undefined,
    now,
    slackMs: config.backupStaleSlack,
    failingAfter: config.backupFailingAfter,
  });
  const report = { ...EMPTY_REPORT, health: [reportOf(schedule.jobName, health)] };
  return health.staleAt === undefined
    ? { actions: [], report }
    : {
        actions: [],
        report,
        requeueAfter: Math.max(0, health.staleAt.getTime() - now.getTime()) + DEADLINE_MARGIN_MS,
      };
}

export function decideHealth(snapshot: ReconcileSnapshot, backupsOfJob: BackupsOfJob): Decision {
  const { pvc, config, now } = snapshot;
  if (pvc === undefined) return NOTHING;
  const intent = intentOf(pvc, config);
  if (intent.kind !== 'opted-in') return NOTHING;
  if (intent.intent.policy !== null) return policyHealth(snapshot, pvc, intent.intent.policy, backupsOfJob);
  const jobName = intent.intent.jobName;
  const job = snapshot.jobNamed(jobName);
  if (job === undefined || !isJobOfPvc(job, intent.intent.namespace, intent.intent.pvcName, config)) return NOTHING;

  const recorded = recordedHealth(job, config.labelPrefix);
  const created = Date.parse(job.metadata.creationTimestamp ?? '');
  const volume = snapshot.volume;
  const health = assessHealth({
    jobName,
    cron: job.spec?.cron ?? '',
    retain: job.spec?.retain ?? 0,
    jobCreatedAt: Number.isNaN(created) ? undefined : new Date(created),
    // Archive Backups are indexed under their job too; health counts the runs of the schedule.
    backups: backupsOfJob(jobName).filter((backup) => backup.job === jobName),
    volume: volume === undefined ? undefined : { name: volume.metadata.name ?? '', state: volume.status?.state },
    recorded: recorded.summary,
    now,
    slackMs: config.backupStaleSlack,
    failingAfter: config.backupFailingAfter,
  });
  const report = { ...EMPTY_REPORT, health: [reportOf(jobName, health)] };
  const requeueAfter =
    health.staleAt === undefined
      ? undefined
      : Math.max(0, health.staleAt.getTime() - now.getTime()) + DEADLINE_MARGIN_MS;
  const timer = requeueAfter === undefined ? {} : { requeueAfter };
  // Written on a transition only (or to repair a missing or unreadable summary), never per backup;
  // a new job of a PVC not bound yet has nothing to say, so its job is left as created.
  if (recorded.state === health.state && recorded.summary !== undefined) return { actions: [], report, ...timer };
  if (recorded.state === undefined && health.state === 'unknown') return { actions: [], report, ...timer };

  const keys = backupHealthKeys(config.labelPrefix);
  const event = recorded.state === health.state ? undefined : transitionEvent(pvc, jobName, recorded.state, health);
  const patch: Action = {
    type: 'patch',
    target: jobTarget(config, jobName),
    patch: {
      metadata: {
        labels: { [keys.state]: health.state },
        annotations: { [keys.summary]: formatBackupHealthSummary(summaryOf(health, now)) },
      },
    },
    ...(event === undefined ? {} : { event }),
  };
  return { actions: [patch], report, ...timer };
}
