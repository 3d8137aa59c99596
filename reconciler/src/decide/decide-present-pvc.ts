// The decision for a Longhorn-backed PVC that exists: report its violations, or remove its job
// (opted out), or keep its job and volume association in line with its labels (opted in), or
// its volume in its policy's group (opted in with `<p>/policy`).

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { describeSchedule } from '@longhorn-backup-guard/shared/recurring-job/describe-schedule';
import { policyNamed } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { describePolicySchedule } from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import type { BackupIntent } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import {
  PVC_SOURCE_LABEL_KEY,
  LONGHORN_LABEL_ENABLED,
  recurringJobGroupLabelKey,
  recurringJobLabelKey,
} from '@longhorn-backup-guard/shared/longhorn/api';
import { recurringJobProblems } from '@longhorn-backup-guard/shared/longhorn/recurring-job-admission';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import {
  desiredRecurringJob,
  type DesiredRecurringJob,
} from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import { diffRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/diff-recurring-job';
import { isJobOfPvc, isManagedJob } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { Action, EventSpec } from '../model/actions.ts';
import { EVENT_REASONS, violationReason } from '../model/event-reasons.ts';
import { intentOf } from '../model/intent-of.ts';
import { pvcObject } from '../model/involved-objects.ts';
import { jobLabelPatch } from './job-labels.ts';
import { EMPTY_REPORT, type ReportedViolation } from '../model/key-report.ts';
import { isArchiveJob, jobTarget, pvcTarget, volumeTarget } from '../model/object-targets.ts';
import { hasOrphanMark, orphanedSinceKey } from './orphan-mark.ts';
import { claimsToCompare, jobNameConflict, labelViolations } from './reconcile-violations.ts';
import type { Decision, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';
import { VOLUME_NOT_BOUND_TO_PVC } from '@longhorn-backup-guard/shared/storage/volume-binding';

function names(jobs: readonly RecurringJob[]): string[] {
  return jobs.map((job) => job.metadata.name ?? '');
}

function pvcEvent(pvc: V1PersistentVolumeClaim, type: EventSpec['type'], reason: string, message: string): EventSpec {
  return { involvedObject: pvcObject(pvc), type, reason, message };
}

/** The PVC is here, so none of its jobs is an orphan any more: drop the marks a past deletion left. */
function clearOrphanMarks(snapshot: ReconcileSnapshot, jobs: readonly RecurringJob[]): Action[] {
  const key = orphanedSinceKey(snapshot.config.labelPrefix);
  return jobs
    .filter((job) => hasOrphanMark(job, snapshot.config.labelPrefix))
    .map((job) => ({
      type: 'patch',
      target: jobTarget(snapshot.config, job.metadata.name ?? ''),
      patch: { metadata: { annotations: { [key]: null } } },
    }));
}

/** Violations leave everything that exists as it is: a broken label never stops running backups. */
function reportViolations(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  violations: readonly ReportedViolation[],
): Decision {
  const events: Action[] = violations.map((violation) => ({
    type: 'event',
    event: pvcEvent(pvc, 'Warning', violationReason(violation.condition), violation.message),
  }));
  return {
    actions: [...clearOrphanMarks(snapshot, snapshot.managedJobs), ...events],
    report: { ...EMPTY_REPORT, violations, managed: names(snapshot.managedJobs) },
  };
}

/** One patch of the Volume's job labels, when it exists and needs one. */
function volumeLabels(
  snapshot: ReconcileSnapshot,
  enable: readonly string[],
  drop: readonly string[],
  group: string | null = null,
): Action[] {
  const { volume, config } = snapshot;
  const patch = volume === undefined ? null : jobLabelPatch(volume.metadata.labels, enable, drop, group);
  if (volume === undefined || patch === null) return [];
  return [
    { type: 'patch', target: volumeTarget(config, volume.metadata.name ?? ''), patch: { metadata: { labels: patch } } },
  ];
}

/**
 * One patch of the PVC's job labels. With `recurring-job.longhorn.io/source: enabled` Longhorn
 * copies the PVC's job labels to the volume and removes the volume's others, so the job label
 * must be on the PVC too; old job labels of ours go in any case.
 */
function pvcLabels(
  pvc: V1PersistentVolumeClaim,
  enable: readonly string[],
  drop: readonly string[],
  group: string | null = null,
): Action[] {
  const sourceOfTruth = pvc.metadata?.labels?.[PVC_SOURCE_LABEL_KEY] === LONGHORN_LABEL_ENABLED;
  const patch = jobLabelPatch(pvc.metadata?.labels, sourceOfTruth ? enable : [], drop, sourceOfTruth ? group : null);
  return patch === null ? [] : [{ type: 'patch', target: pvcTarget(pvc), patch: { metadata: { labels: patch } } }];
}

/** Delete the jobs (after their labels are gone); a job with archive labels is kept and reported retained. */
function deleteJobs(
  snapshot: ReconcileSnapshot,
  jobs: readonly RecurringJob[],
  deleted: (job: string) => EventSpec,
  kept: (job: string) => EventSpec,
): { actions: Action[]; retained: string[] } {
  const actions: Action[] = [];
  const retained: string[] = [];
  for (const job of jobs) {
    const name = job.metadata.name ?? '';
    if (isArchiveJob(job, snapshot.config)) {
      retained.push(name);
      actions.push({ type: 'event', event: kept(name) });
    } else {
      actions.push({
        type: 'delete',
        target: jobTarget(snapshot.config, name),
        resourceVersion: job.metadata.resourceVersion,
        event: deleted(name),
      });
    }
  }
  return { actions, retained };
}

function optedOut(snapshot: ReconcileSnapshot, pvc: V1PersistentVolumeClaim): Decision {
  const all = names(snapshot.managedJobs);
  const enabledKey = `${backupLabelKeys(snapshot.config.labelPrefix).enabled}=false`;
  const removal = deleteJobs(
    snapshot,
    snapshot.managedJobs,
    (job) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.disabled,
        `backup disabled (${enabledKey}): removed the job label from the volume and deleted RecurringJob ${job}`,
      ),
    (job) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.jobRetained,
        `backup disabled (${enabledKey}): RecurringJob ${job} no longer runs on this volume but is kept because it carries archive labels`,
      ),
  );
  return {
    actions: [...volumeLabels(snapshot, [], all), ...pvcLabels(pvc, [], all), ...removal.actions],
    report: { ...EMPTY_REPORT, retained: removal.retained },
  };
}

function describeJob(intent: BackupIntent): string {
  const { settings } = intent;
  return `${describeSchedule(settings.start, settings.interval)}, retain ${settings.retain}, full backup every ${settings.fullBackupInterval}th run, concurrency ${settings.concurrency}`;
}

/** Create the job, or patch the stored one (ours, or a deleted PVC's orphan we take over) to the desired one. */
function writeJob(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  intent: BackupIntent,
  desired: DesiredRecurringJob,
  stored: RecurringJob | undefined,
): Action[] {
  const { config } = snapshot;
  const target = jobTarget(config, desired.metadata.name);
  if (stored === undefined) {
    const message = `created RecurringJob ${desired.metadata.name} in namespace ${config.longhornNamespace}: ${describeJob(intent)}`;
    return [
      { type: 'create', target, body: desired, event: pvcEvent(pvc, 'Normal', EVENT_REASONS.jobCreated, message) },
    ];
  }
  const diff = diffRecurringJob(stored, desired, config);
  const marked = hasOrphanMark(stored, config.labelPrefix);
  if (diff.inSync && !marked) return [];
  const unmark = marked ? { annotations: { [orphanedSinceKey(config.labelPrefix)]: null } } : {};
  const { metadata, ...rest } = diff.inSync ? {} : diff.patch;
  const patch = marked || metadata !== undefined ? { ...rest, metadata: { ...metadata, ...unmark } } : rest;
  const changes = diff.inSync ? 'its settings were already right' : diff.changes.join(', ');
  let event: EventSpec | undefined;
  if (!isJobOfPvc(stored, intent.namespace, intent.pvcName, config)) {
    event = pvcEvent(
      pvc,
      'Normal',
      EVENT_REASONS.jobAdopted,
      `took over RecurringJob ${desired.metadata.name}, left by a deleted PVC: ${changes}`,
    );
  } else if (!diff.inSync) {
    event = pvcEvent(
      pvc,
      'Normal',
      EVENT_REASONS.jobUpdated,
      `updated RecurringJob ${desired.metadata.name}: ${changes}`,
    );
  }
  return [{ type: 'patch', target, patch, ...(event === undefined ? {} : { event }) }];
}

/**
 * The volume label (or why it has to wait) for the PVC's own job or its policy's group, dropping
 * the `stale` jobs' labels (and other policy groups) in the same patch.
 */
function associate(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  target: { readonly job: string } | { readonly group: string },
  stale: readonly string[],
): Action[] {
  const { binding, volume } = snapshot;
  const key = 'job' in target ? recurringJobLabelKey(target.job) : recurringJobGroupLabelKey(target.group);
  const label = `${key}=${LONGHORN_LABEL_ENABLED}`;
  const waiting = (why: string): Action[] => [
    {
      type: 'event',
      event: pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.waitingForVolume,
        `waiting for the volume: ${why}; ${label} goes on its Longhorn volume then`,
      ),
    },
  ];
  if (binding.kind === 'unbound') return waiting('the PVC is not bound yet');
  // A refused binding never gets here: it is a violation (decidePresentPvc).
  if (binding.kind !== 'bound' || volume === undefined)
    return waiting(binding.kind === 'waiting' ? binding.why : 'the PVC is not bound yet');
  const [patch] =
    'job' in target ? volumeLabels(snapshot, [target.job], stale) : volumeLabels(snapshot, [], stale, target.group);
  if (patch === undefined || patch.type !== 'patch') return [];
  const added = volume.metadata.labels?.[key] !== LONGHORN_LABEL_ENABLED;
  if (!added) return [patch];
  return [
    {
      ...patch,
      event: pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.volumeLabelled,
        `labelled Longhorn volume ${volume.metadata.name ?? ''} with ${label}`,
      ),
    },
  ];
}

/**
 * The PVC's own job as desired and as stored, or the Decision that it cannot be written (Longhorn
 * would refuse it, or its name is another's).
 */
function claimOwnJob(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  intent: BackupIntent,
): { readonly desired: DesiredRecurringJob; readonly stored: RecurringJob | undefined } | Decision {
  const { config } = snapshot;
  const desired = desiredRecurringJob(intent, config);
  const jobName = desired.metadata.name;
  const problems = recurringJobProblems(desired, config.maxRetention);
  if (problems.length > 0) {
    const message = `RecurringJob ${jobName} was not written because Longhorn would refuse it: ${problems.join('; ')}`;
    return {
      actions: [{ type: 'event', event: pvcEvent(pvc, 'Warning', EVENT_REASONS.jobRefused, message) }],
      report: { ...EMPTY_REPORT, managed: names(snapshot.managedJobs) },
    };
  }

  const stored = snapshot.jobNamed(jobName);
  const ours = stored !== undefined && isJobOfPvc(stored, intent.namespace, intent.pvcName, config);
  // A deleted PVC's orphan (marked, no archive labels) is taken over by a PVC that wants its name.
  const adoptable =
    stored !== undefined &&
    !ours &&
    isManagedJob(stored, config) &&
    hasOrphanMark(stored, config.labelPrefix) &&
    !isArchiveJob(stored, config);
  if (stored !== undefined && !ours && !adoptable)
    return reportViolations(snapshot, pvc, [jobNameConflict(intent, stored, snapshot)]);
  return { desired, stored };
}

function optedIn(snapshot: ReconcileSnapshot, pvc: V1PersistentVolumeClaim, intent: BackupIntent): Decision {
  const claim = claimOwnJob(snapshot, pvc, intent);
  if (!('desired' in claim)) return claim;
  const { desired, stored } = claim;
  const jobName = desired.metadata.name;

  const staleJobs = snapshot.managedJobs.filter((job) => job.metadata.name !== jobName);
  const stale = names(staleJobs);
  const removal = deleteJobs(
    snapshot,
    staleJobs,
    (old) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.jobRenamed,
        `the PVC's job is now ${jobName}: removed the label of the old job and deleted RecurringJob ${old}`,
      ),
    (old) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.jobRetained,
        `the PVC's job is now ${jobName}; the old RecurringJob ${old} is kept because it carries archive labels`,
      ),
  );
  return {
    actions: [
      ...writeJob(snapshot, pvc, intent, desired, stored),
      ...associate(snapshot, pvc, { job: jobName }, stale),
      ...pvcLabels(pvc, [jobName], stale),
      ...removal.actions,
    ],
    report: { ...EMPTY_REPORT, managed: [jobName], retained: removal.retained },
  };
}

/**
 * A PVC on a policy: its volume joins the policy's group (the policy's shared jobs are the policy
 * key's to write, decide-policy-jobs.ts); a job of its own from before goes, as on a rename.
 * While it asks for an archive it keeps a job of its own all the same, which no volume runs: the
 * archive workflow's record (and archive labels) live on it, so an archive of a policy PVC works,
 * and outlives the PVC, as any other.
 */
function onPolicy(
  snapshot: ReconcileSnapshot,
  pvc: V1PersistentVolumeClaim,
  intent: BackupIntent,
  policyName: string,
): Decision {
  const policy = policyNamed(snapshot.config.policies, policyName);
  if (policy === undefined)
    throw new Error(`unreachable: policy ${policyName} passed the label rule but is not configured`);
  let record: Action[] = [];
  if (intent.archive !== null) {
    const claim = claimOwnJob(snapshot, pvc, intent);
    if (!('desired' in claim)) return claim;
    const note = `; it holds the record of this PVC's archive and no volume runs it (policy ${policy.name} backs the PVC up)`;
    record = writeJob(snapshot, pvc, intent, claim.desired, claim.stored).map((action) =>
      action.type !== 'event' && action.event !== undefined
        ? { ...action, event: { ...action.event, message: `${action.event.message}${note}` } }
        : action,
    );
  }
  // Its own job's label leaves the volume in any case (a record job runs nothing).
  const stale = names(snapshot.managedJobs);
  const removal = deleteJobs(
    snapshot,
    snapshot.managedJobs.filter((job) => intent.archive === null || job.metadata.name !== intent.jobName),
    (old) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.jobRenamed,
        `the PVC now uses policy ${policy.name}: removed the label of its own job and deleted RecurringJob ${old}`,
      ),
    (old) =>
      pvcEvent(
        pvc,
        'Normal',
        EVENT_REASONS.jobRetained,
        `the PVC now uses policy ${policy.name}; its old RecurringJob ${old} is kept because it carries archive labels`,
      ),
  );
  const jobs = policy.schedules.map((schedule) => schedule.jobName);
  const joined = associate(snapshot, pvc, { group: policy.group }, stale).map((action) =>
    action.type === 'patch' && action.event !== undefined
      ? {
          ...action,
          event: {
            ...action.event,
            reason: EVENT_REASONS.policyJoined,
            message: `${action.event.message}: the jobs of policy ${policy.name} back it up (${policy.schedules.map((schedule) => `${schedule.jobName}: ${describePolicySchedule(schedule)}`).join('; ')})`,
          },
        }
      : action,
  );
  return {
    actions: [...record, ...joined, ...pvcLabels(pvc, [], stale, policy.group), ...removal.actions],
    report: { ...EMPTY_REPORT, managed: jobs, retained: removal.retained, policies: [policy.name] },
  };
}

/** spec.volumeName names a PV that is not this PVC's Longhorn volume: nothing is done for it, and it says why. */
function bindingViolations(snapshot: ReconcileSnapshot): ReportedViolation[] {
  const { binding, pvc } = snapshot;
  if (binding.kind !== 'refused') return [];
  const message = `spec.volumeName=${pvc?.spec?.volumeName ?? ''} is not this PVC's Longhorn volume: ${binding.why}. No job label goes on that volume, no RecurringJob is associated and no archive is made for this PVC; a PVC gets only the volume it is Bound to (its PV's claimRef names this PVC and its uid, the PV's CSI driver is ${snapshot.config.provisioner})`;
  return [{ condition: VOLUME_NOT_BOUND_TO_PVC, message }];
}

/** The decision for an existing, Longhorn-backed PVC. */
export function decidePresentPvc(snapshot: ReconcileSnapshot, pvc: V1PersistentVolumeClaim): Decision {
  const result = intentOf(pvc, snapshot.config);
  const violations = [
    ...labelViolations(result, claimsToCompare(snapshot, result), snapshot.config),
    ...bindingViolations(snapshot),
  ];
  if (violations.length > 0) return reportViolations(snapshot, pvc, violations);
  if (result.kind === 'opted-in')
    return result.intent.policy === null
      ? optedIn(snapshot, pvc, result.intent)
      : onPolicy(snapshot, pvc, result.intent, result.intent.policy);
  return optedOut(snapshot, pvc);
}
