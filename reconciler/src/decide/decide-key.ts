// decide(snapshot) -> what to write and what to report, for one key. Pure: it reads only the
// snapshot (taken from the caches) and is level-triggered, so running it again on the state it
// produced yields no actions.

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { pvcLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { storageClassOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { archiveWorkflow as defaultArchiveWorkflow } from '../archive/archive-workflow.ts';
import type { ArchiveWorkflow } from '../model/archive-contract.ts';
import { decideGonePvc } from './decide-gone-pvc.ts';
import { decidePresentPvc } from './decide-present-pvc.ts';
import { EVENT_REASONS } from '../model/event-reasons.ts';
import { intentOf } from '../model/intent-of.ts';
import { pvcObject } from '../model/involved-objects.ts';
import { EMPTY_REPORT, mergeReports } from '../model/key-report.ts';
import { isLonghornBacked } from '../model/longhorn-backed.ts';
import { isArchiveJob } from '../model/object-targets.ts';
import type { Decision, ReconcileSnapshot } from '../model/reconcile-snapshot.ts';

const NOTHING: Decision = { actions: [], report: EMPTY_REPORT };

/** Not Longhorn-backed: nothing is managed and nothing reported, but backup labels on it get a warning. */
function notLonghorn(snapshot: ReconcileSnapshot, pvc: V1PersistentVolumeClaim): Decision {
  const { config } = snapshot;
  const known = pvcLabelKeys(config.labelPrefix);
  if (!Object.keys(pvc.metadata?.labels ?? {}).some((key) => known.includes(key))) return NOTHING;
  const storageClass = storageClassOf(pvc, snapshot.storageClasses);
  const { binding } = snapshot;
  const pvPart = binding.kind === 'refused' || binding.kind === 'waiting' ? `; ${binding.why}` : '';
  const why =
    storageClass === undefined
      ? `it has no StorageClass known here and is not bound to a Longhorn volume${pvPart}`
      : `its StorageClass ${storageClass.metadata?.name ?? ''} has provisioner ${storageClass.provisioner}, not ${config.provisioner}${pvPart}`;
  const message = `the backup labels are ignored: this PVC is not Longhorn-backed (${why})`;
  return {
    actions: [
      {
        type: 'event',
        event: { involvedObject: pvcObject(pvc), type: 'Warning', reason: EVENT_REASONS.labelsIgnored, message },
      },
    ],
    report: EMPTY_REPORT,
  };
}

export function decide(snapshot: ReconcileSnapshot, archive: ArchiveWorkflow = defaultArchiveWorkflow): Decision {
  const { key, pvc, config } = snapshot;
  if (!isNamespaceInScope(config, key.namespace)) return NOTHING;
  if (pvc !== undefined && !isLonghornBacked(pvc, snapshot.storageClasses, () => snapshot.binding, config.provisioner))
    return notLonghorn(snapshot, pvc);

  const own = pvc === undefined ? decideGonePvc(snapshot) : decidePresentPvc(snapshot, pvc);
  const intent = pvc === undefined ? undefined : intentOf(pvc, config);
  const kept = snapshot.managedJobs.find((job) => isArchiveJob(job, config)) ?? snapshot.managedJobs[0];
  const jobName = intent?.kind === 'opted-in' ? intent.intent.jobName : kept?.metadata.name;
  const outcome = archive.reconcile({
    key,
    pvc,
    intent,
    jobName,
    job: jobName === undefined ? undefined : snapshot.jobNamed(jobName),
    managedJobs: snapshot.managedJobs,
    volume: snapshot.volume,
    volumeNamed: snapshot.volumeNamed,
    watched: snapshot.watched,
    config,
    now: snapshot.now,
  });
  const requeues = [own.requeueAfter, outcome.requeueAfter].filter((delay) => delay !== undefined);
  return {
    actions: [...own.actions, ...outcome.actions],
    report: mergeReports(own.report, outcome.report),
    ...(requeues.length === 0 ? {} : { requeueAfter: Math.min(...requeues) }),
  };
}
