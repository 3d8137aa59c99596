// The decision for a key whose PVC is gone but whose managed jobs remain. A job with archive
// labels is kept (retained). Any other is an orphan: marked with the time (on the job, so a
// restart keeps the clock), reported, and deleted once the grace period has passed, unless the
// PVC comes back first. The deletion is never silent: metric and Event come first.

import { formatDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { sourcePvcLabelValue } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { Action } from '../model/actions.ts';
import { EVENT_REASONS } from '../model/event-reasons.ts';
import { recurringJobObject } from '../model/involved-objects.ts';
import { EMPTY_REPORT } from '../model/key-report.ts';
import { isArchiveJob, jobTarget } from '../model/object-targets.ts';
import { formatRfc3339 } from '../model/rfc3339.ts';
import { orphanStep, orphanedSinceKey } from './orphan-mark.ts';
import type { Decision, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';

const NOTHING: Decision = { actions: [], report: EMPTY_REPORT };

export function decideGonePvc(snapshot: ReconcileSnapshot): Decision {
  const { key, config, now } = snapshot;
  // A PVC name longer than a label value is cut in the jobs' source label: a key made from such a
  // label stands for the PVC whose name cuts the same way, which that PVC's own key handles.
  const label = sourcePvcLabelValue(key.pvcName);
  if (snapshot.namespacePvcs().some(({ pvc }) => sourcePvcLabelValue(pvc.metadata?.name ?? '') === label))
    return NOTHING;

  const actions: Action[] = [];
  const orphaned: string[] = [];
  const retained: string[] = [];
  let requeueAfter: number | undefined;
  const grace = formatDuration(config.orphanGracePeriod);
  const pvc = `${key.namespace}/${key.pvcName}`;
  for (const job of snapshot.managedJobs) {
    const name = job.metadata.name ?? '';
    const involvedObject = recurringJobObject(job, config.longhornNamespace);
    if (isArchiveJob(job, config)) {
      retained.push(name);
      const message = `PVC ${pvc} is gone; this job is kept because it carries archive labels (its backups are the archive)`;
      actions.push({
        type: 'event',
        event: { involvedObject, type: 'Normal', reason: EVENT_REASONS.jobRetained, message },
      });
      continue;
    }
    const step = orphanStep(job, config.labelPrefix, now, config.orphanGracePeriod);
    if (step.kind === 'mark') {
      orphaned.push(name);
      requeueAfter = Math.min(requeueAfter ?? Infinity, config.orphanGracePeriod);
      const deleteAt = formatRfc3339(new Date(now.getTime() + config.orphanGracePeriod));
      const message = `PVC ${pvc} is gone and this job has no archive labels: it is deleted after the grace period of ${grace} (at ${deleteAt}) unless the PVC comes back`;
      actions.push({
        type: 'patch',
        target: jobTarget(config, name),
        patch: { metadata: { annotations: { [orphanedSinceKey(config.labelPrefix)]: formatRfc3339(now) } } },
        event: { involvedObject, type: 'Warning', reason: EVENT_REASONS.jobOrphaned, message },
      });
      continue;
    }
    if (step.kind === 'wait') {
      orphaned.push(name);
      requeueAfter = Math.min(requeueAfter ?? Infinity, step.remaining);
      continue;
    }
    const message = `deleted: PVC ${pvc} has been gone since ${formatRfc3339(step.since)}, longer than the grace period of ${grace}; its backups are kept in the backup target`;
    actions.push({
      type: 'delete',
      target: jobTarget(config, name),
      resourceVersion: job.metadata.resourceVersion,
      event: { involvedObject, type: 'Normal', reason: EVENT_REASONS.orphanDeleted, message },
    });
  }
  return {
    actions,
    report: { ...EMPTY_REPORT, orphaned, retained },
    ...(requeueAfter === undefined ? {} : { requeueAfter }),
  };
}
