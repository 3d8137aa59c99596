// decidePolicyJobs(snapshot) -> the writes that keep the policies' shared jobs and group labels in
// line. Pure and level-triggered, like decide() for a PVC:
// - a configured policy that a PVC uses has one RecurringJob per schedule, created once and
//   patched in place when the policy changes; a schedule removed from the policy loses its job;
// - a policy no PVC uses: its jobs are marked and deleted after orphanGracePeriod;
// - a policy gone from the ConfigMap while PVCs still use it: its jobs are kept unchanged and the
//   configuration error is reported (the reconciler also refuses such a ConfigMap change);
// - a volume with a policy group label and no PVC bound to it any more: marked, and the label
//   removed after orphanGracePeriod (the PVC's deletion, as a job's orphan).

import { formatDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { LONGHORN_API_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { BackupPolicy } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { diffRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/diff-recurring-job';
import {
  describePolicySchedule,
  desiredPolicyJob,
  policyOfJob,
} from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import type { Action, EventSpec, InvolvedObject } from '../model/actions.ts';
import { EVENT_REASONS } from '../model/event-reasons.ts';
import { recurringJobObject, volumeObject } from '../model/involved-objects.ts';
import { EMPTY_REPORT } from '../model/key-report.ts';
import { jobTarget, volumeTarget } from '../model/object-targets.ts';
import type { PolicySnapshot } from '../model/policy-snapshot.ts';
import type { Decision } from '../model/reconcile-snapshot.ts';
import { formatRfc3339 } from '../model/rfc3339.ts';
import { policyGroupKeys } from './job-labels.ts';
import { hasOrphanMark, orphanStep, orphanedSinceKey } from './orphan-mark.ts';

interface Steps {
  readonly actions: Action[];
  requeueAfter?: number;
}

function requeue(steps: Steps, after: number): void {
  steps.requeueAfter = Math.min(steps.requeueAfter ?? Infinity, after);
}

function jobEvent(job: InvolvedObject, type: EventSpec['type'], reason: string, message: string): EventSpec {
  return { involvedObject: job, type, reason, message };
}

/** `3 PVCs (a/x, a/y, b/z)`, the first few named. */
function describeUsers(users: readonly string[]): string {
  const shown = users.slice(0, 5).join(', ');
  return `${users.length} PVC${users.length === 1 ? '' : 's'} (${shown}${users.length > 5 ? ', …' : ''})`;
}

/** The jobs of a used, configured policy: each schedule's job created or patched, removed schedules' jobs deleted. */
function keepPolicyJobs(
  snapshot: PolicySnapshot,
  policy: BackupPolicy,
  users: readonly string[],
  stored: readonly RecurringJob[],
  steps: Steps,
): void {
  const { config } = snapshot;
  const orphanKey = orphanedSinceKey(config.labelPrefix);
  for (const schedule of policy.schedules) {
    const desired = desiredPolicyJob(policy, schedule, config);
    const target = jobTarget(config, schedule.jobName);
    const existing = snapshot.jobNamed(schedule.jobName);
    const object = {
      apiVersion: LONGHORN_API_VERSION,
      kind: 'RecurringJob',
      namespace: config.longhornNamespace,
      name: schedule.jobName,
    };
    if (existing === undefined) {
      const message = `created for policy ${policy.name}, used by ${describeUsers(users)}: ${describePolicySchedule(schedule)}`;
      steps.actions.push({
        type: 'create',
        target,
        body: desired,
        event: jobEvent(object, 'Normal', EVENT_REASONS.policyJobCreated, message),
      });
      continue;
    }
    if (policyOfJob(existing, config) !== policy.name) {
      const message = `policy ${policy.name} needs a RecurringJob ${schedule.jobName} but this one is not its job (made by hand or by another policy): it is left alone and the schedule does not run; give the schedule another name (name:) or remove this job`;
      steps.actions.push({
        type: 'event',
        event: jobEvent(
          recurringJobObject(existing, config.longhornNamespace),
          'Warning',
          EVENT_REASONS.policyJobConflict,
          message,
        ),
      });
      continue;
    }
    const diff = diffRecurringJob(existing, desired, config);
    const marked = hasOrphanMark(existing, config.labelPrefix);
    if (diff.inSync && !marked) continue;
    const { metadata, ...rest } = diff.inSync ? {} : diff.patch;
    const unmark = marked ? { annotations: { [orphanKey]: null } } : {};
    const patch = marked || metadata !== undefined ? { ...rest, metadata: { ...metadata, ...unmark } } : rest;
    const event = diff.inSync
      ? undefined
      : jobEvent(
          recurringJobObject(existing, config.longhornNamespace),
          'Normal',
          EVENT_REASONS.policyJobUpdated,
          `policy ${policy.name} changed: ${diff.changes.join(', ')}`,
        );
    steps.actions.push({ type: 'patch', target, patch, ...(event === undefined ? {} : { event }) });
  }
  const wanted = new Set(policy.schedules.map((schedule) => schedule.jobName));
  for (const job of stored) {
    const name = job.metadata.name ?? '';
    if (wanted.has(name)) continue;
    const message = `deleted: policy ${policy.name} no longer has this schedule`;
    steps.actions.push({
      type: 'delete',
      target: jobTarget(config, name),
      resourceVersion: job.metadata.resourceVersion,
      event: jobEvent(
        recurringJobObject(job, config.longhornNamespace),
        'Normal',
        EVENT_REASONS.policyJobDeleted,
        message,
      ),
    });
  }
}

/** A policy's jobs with no PVC on the policy: marked, then deleted after the grace period. */
function retireJobs(snapshot: PolicySnapshot, policyName: string, jobs: readonly RecurringJob[], steps: Steps): void {
  const { config, now } = snapshot;
  const grace = formatDuration(config.orphanGracePeriod);
  for (const job of jobs) {
    const name = job.metadata.name ?? '';
    const object = recurringJobObject(job, config.longhornNamespace);
    const step = orphanStep(job, config.labelPrefix, now, config.orphanGracePeriod);
    if (step.kind === 'mark') {
      requeue(steps, config.orphanGracePeriod);
      const deleteAt = formatRfc3339(new Date(now.getTime() + config.orphanGracePeriod));
      const message = `no PVC uses policy ${policyName} any more: this job is deleted after the grace period of ${grace} (at ${deleteAt}) unless a PVC asks for the policy again`;
      steps.actions.push({
        type: 'patch',
        target: jobTarget(config, name),
        patch: { metadata: { annotations: { [orphanedSinceKey(config.labelPrefix)]: formatRfc3339(now) } } },
        event: jobEvent(object, 'Warning', EVENT_REASONS.jobOrphaned, message),
      });
    } else if (step.kind === 'wait') {
      requeue(steps, step.remaining);
    } else {
      const message = `deleted: no PVC has used policy ${policyName} since ${formatRfc3339(step.since)}, longer than the grace period of ${grace}; its backups are kept in the backup target`;
      steps.actions.push({
        type: 'delete',
        target: jobTarget(config, name),
        resourceVersion: job.metadata.resourceVersion,
        event: jobEvent(object, 'Normal', EVENT_REASONS.orphanDeleted, message),
      });
    }
  }
}

/** Policy group labels on volumes no PVC is bound to any more: marked, then removed after the grace period. */
function retireGroupLabels(snapshot: PolicySnapshot, steps: Steps): void {
  const { config, now } = snapshot;
  const orphanKey = orphanedSinceKey(config.labelPrefix);
  const grace = formatDuration(config.orphanGracePeriod);
  for (const { volume, bound } of snapshot.groupVolumes) {
    const name = volume.metadata.name ?? '';
    const target = volumeTarget(config, name);
    const marked = hasOrphanMark(volume, config.labelPrefix);
    if (bound) {
      if (marked)
        steps.actions.push({ type: 'patch', target, patch: { metadata: { annotations: { [orphanKey]: null } } } });
      continue;
    }
    const groups = policyGroupKeys(volume.metadata.labels);
    const step = orphanStep(volume, config.labelPrefix, now, config.orphanGracePeriod);
    const object = volumeObject(volume, config.longhornNamespace);
    if (step.kind === 'mark') {
      requeue(steps, config.orphanGracePeriod);
      const deleteAt = formatRfc3339(new Date(now.getTime() + config.orphanGracePeriod));
      const message = `no PVC is bound to this volume any more: ${groups.join(', ')} is removed after the grace period of ${grace} (at ${deleteAt}) unless its PVC comes back`;
      steps.actions.push({
        type: 'patch',
        target,
        patch: { metadata: { annotations: { [orphanKey]: formatRfc3339(now) } } },
        event: jobEvent(object, 'Warning', EVENT_REASONS.groupOrphaned, message),
      });
    } else if (step.kind === 'wait') {
      requeue(steps, step.remaining);
    } else {
      const message = `removed ${groups.join(', ')}: no PVC has been bound to this volume since ${formatRfc3339(step.since)}, longer than the grace period of ${grace}; its backups are kept in the backup target`;
      const labels = Object.fromEntries(groups.map((key) => [key, null]));
      steps.actions.push({
        type: 'patch',
        target,
        patch: { metadata: { labels, annotations: { [orphanKey]: null } } },
        event: jobEvent(object, 'Normal', EVENT_REASONS.groupRemoved, message),
      });
    }
  }
}

export function decidePolicyJobs(snapshot: PolicySnapshot): Decision {
  const { config } = snapshot;
  const steps: Steps = { actions: [] };
  const jobsOf = new Map<string, RecurringJob[]>();
  for (const job of snapshot.policyJobs) {
    const policy = policyOfJob(job, config);
    if (policy !== null) jobsOf.set(policy, [...(jobsOf.get(policy) ?? []), job]);
  }
  for (const policy of config.policies) {
    const users = snapshot.users.get(policy.name) ?? [];
    const stored = jobsOf.get(policy.name) ?? [];
    if (users.length > 0) keepPolicyJobs(snapshot, policy, users, stored, steps);
    else retireJobs(snapshot, policy.name, stored, steps);
  }
  const configured = new Set(config.policies.map((policy) => policy.name));
  for (const [policyName, jobs] of jobsOf) {
    if (configured.has(policyName)) continue;
    const users = snapshot.users.get(policyName) ?? [];
    if (users.length === 0) {
      retireJobs(snapshot, policyName, jobs, steps);
      continue;
    }
    const message = `policy ${policyName} is not in the ConfigMap but ${describeUsers(users)} use it: its jobs are kept unchanged; put the policy back, or move those PVCs to another policy first`;
    for (const job of jobs)
      steps.actions.push({
        type: 'event',
        event: jobEvent(
          recurringJobObject(job, config.longhornNamespace),
          'Warning',
          EVENT_REASONS.policyRemovedInUse,
          message,
        ),
      });
  }
  retireGroupLabels(snapshot, steps);
  return {
    actions: steps.actions,
    report: EMPTY_REPORT,
    ...(steps.requeueAfter === undefined ? {} : { requeueAfter: steps.requeueAfter }),
  };
}
