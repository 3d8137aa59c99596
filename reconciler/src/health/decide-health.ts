// The backup-health part of a reconcile, for an opted-in PVC whose job exists: assess the health,
// report it (the gauges), and on a state change only, record the new state on the job (label
// `<p>/health`, annotation `<p>/health-summary`) with an Event on the PVC. A PVC on a policy has no
// job of its own: its state is recorded on its Longhorn Volume (one per PVC) the same way, and
// removed from the Volume when the PVC leaves the policy (policyHealth). Pure.

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import {
  backupHealthKeys,
  formatBackupHealthSummary,
  isBackupHealthState,
  parseBackupHealthSummary,
  type BackupHealthState,
  type BackupHealthSummary,
} from '@longhorn-backup-guard/shared/health/health-summary';
import type { ObjectMeta, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { policyNamed, timingPeriodHours } from '@longhorn-backup-guard/shared/policy/backup-policy';
import type { Action, EventSpec, ObjectTarget } from '../model/actions.ts';
import { intentOf } from '../model/intent-of.ts';
import { pvcObject } from '../model/involved-objects.ts';
import { EMPTY_REPORT, type JobHealthReport } from '../model/key-report.ts';
import { jobTarget, volumeTarget } from '../model/object-targets.ts';
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

interface RecordedHealth {
  readonly state: BackupHealthState | undefined;
  readonly summary: BackupHealthSummary | undefined;
}

/** The recorded state and summary of a job, or of a policy PVC's Volume (label and annotation). */
export function recordedHealth(holder: { readonly metadata: ObjectMeta }, labelPrefix: string): RecordedHealth {
  const keys = backupHealthKeys(labelPrefix);
  const label = holder.metadata.labels?.[keys.state];
  const summary = parseBackupHealthSummary(holder.metadata.annotations?.[keys.summary]);
  return {
    state: isBackupHealthState(label) ? label : undefined,
    summary: summary?.state === label ? summary : undefined,
  };
}

/**
 * The record of `health` on `target` (the job, or a policy PVC's Volume) with the Event of the
 * transition on the PVC: written on a transition only (or to repair a missing or unreadable
 * summary), never per backup; a PVC not bound yet has nothing to say, so nothing is written.
 */
function recordActions(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  jobName: string,
  target: ObjectTarget,
  recorded: RecordedHealth,
  health: BackupHealth,
): Action[] {
  if (recorded.state === health.state && recorded.summary !== undefined) return [];
  if (recorded.state === undefined && health.state === 'unknown') return [];
  const keys = backupHealthKeys(snapshot.config.labelPrefix);
  const event = recorded.state === health.state ? undefined : transitionEvent(pvc, jobName, recorded.state, health);
  return [
    {
      type: 'patch',
      target,
      patch: {
        metadata: {
          labels: { [keys.state]: health.state },
          annotations: { [keys.summary]: formatBackupHealthSummary(summaryOf(health, snapshot.now)) },
        },
      },
      ...(event === undefined ? {} : { event }),
    },
  ];
}

/** The removal of a health record from the Volume of a PVC that is no longer on a policy, if it has one. */
function forgetVolumeHealth(snapshot: ReconcileSnapshot, volume: Volume | undefined): Decision {
  const keys = backupHealthKeys(snapshot.config.labelPrefix);
  const name = volume?.metadata.name;
  if (name === undefined) return NOTHING;
  const labelled = volume?.metadata.labels?.[keys.state] !== undefined;
  const annotated = volume?.metadata.annotations?.[keys.summary] !== undefined;
  if (!labelled && !annotated) return NOTHING;
  const patch: Action = {
    type: 'patch',
    target: volumeTarget(snapshot.config, name),
    patch: { metadata: { labels: { [keys.state]: null }, annotations: { [keys.summary]: null } } },
  };
  return { actions: [patch], report: EMPTY_REPORT };
}

function requeueAt(health: BackupHealth, now: Date): { requeueAfter?: number } {
  return health.staleAt === undefined
    ? {}
    : { requeueAfter: Math.max(0, health.staleAt.getTime() - now.getTime()) + DEADLINE_MARGIN_MS };
}

/**
 * A policy PVC's health: the Backups of its volume made by the policy's most frequent backup
 * schedule, whose cron sets the stale window, counted from the later of the job's and the PVC's
 * creation; recorded on the Volume. Its own job, kept for an archive, runs nothing and is not
 * assessed.
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
  // A policy of snapshots only has no backup health: a record from an earlier policy would lie.
  if (schedule === undefined) return forgetVolumeHealth(snapshot, volume);
  const job = snapshot.jobNamed(schedule.jobName);
  if (job === undefined) return NOTHING;
  const since = Math.max(
    Date.parse(job.metadata.creationTimestamp ?? '') || 0,
    pvc.metadata?.creationTimestamp === undefined ? 0 : new Date(pvc.metadata.creationTimestamp).getTime(),
  );
  const volumeName = volume?.metadata.name;
  const recorded =
    volume === undefined ? { state: undefined, summary: undefined } : recordedHealth(volume, config.labelPrefix);
  const health = assessHealth({
    jobName: schedule.jobName,
    cron: job.spec?.cron ?? '',
    retain: job.spec?.retain ?? 0,
    jobCreatedAt: since === 0 ? undefined : new Date(since),
    backups: backupsOfJob(schedule.jobName).filter(
      (backup) => backup.job === schedule.jobName && backup.volume !== undefined && backup.volume === volumeName,
    ),
    volume: volume === undefined ? undefined : { name: volumeName ?? '', state: volume.status?.state },
    recorded: recorded.summary,
    now,
    slackMs: config.backupStaleSlack,
    failingAfter: config.backupFailingAfter,
  });
  const report = { ...EMPTY_REPORT, health: [reportOf(schedule.jobName, health)] };
  const actions =
    volumeName === undefined
      ? []
      : recordActions(snapshot, pvc, schedule.jobName, volumeTarget(config, volumeName), recorded, health);
  return { actions, report, ...requeueAt(health, now) };
}

export function decideHealth(snapshot: ReconcileSnapshot, backupsOfJob: BackupsOfJob): Decision {
  const { pvc, config, now } = snapshot;
  if (pvc === undefined) return NOTHING;
  const intent = intentOf(pvc, config);
  const onPolicy = intent.kind === 'opted-in' && intent.intent.policy !== null;
  // Off a policy (moved to its own labels, opted out, invalid): its Volume's record would lie.
  const forgotten = onPolicy ? NOTHING : forgetVolumeHealth(snapshot, snapshot.volume);
  if (intent.kind !== 'opted-in') return forgotten;
  if (intent.intent.policy !== null) return policyHealth(snapshot, pvc, intent.intent.policy, backupsOfJob);
  const jobName = intent.intent.jobName;
  const job = snapshot.jobNamed(jobName);
  if (job === undefined || !isJobOfPvc(job, intent.intent.namespace, intent.intent.pvcName, config)) return forgotten;

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
  const actions = recordActions(snapshot, pvc, jobName, jobTarget(config, jobName), recorded, health);
  return { actions: [...forgotten.actions, ...actions], report, ...requeueAt(health, now) };
}
