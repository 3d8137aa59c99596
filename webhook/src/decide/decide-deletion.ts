// DELETE of a PVC that is backed up and has no completed archive: its last backups stay, but no
// final full backup is made (or the one under way may not finish) and, without an archive, its job
// goes after the grace period. A warning, or a denial when configured. A completed archive of
// this very PVC (recorded on its job by the reconciler) lets it go silently.

import { formatDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { labelsOf } from '../admission/pvc-object.ts';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { allow, deny } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';
import { completedArchiveOfPvc } from './archive-state.ts';

export function decideDeletion(request: PvcAdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const pvc = request.oldObject;
  const { config } = context;
  if (pvc === null || storageBackingOf(pvc, context.storageClasses, config.provisioner).kind === 'other')
    return allow(request.uid);
  const result = parseIntent({ namespace: request.namespace, name: request.name, labels: labelsOf(pvc) }, config);
  const optedIn = result.kind === 'opted-in' || (result.kind === 'invalid' && result.enabled === true);
  if (
    !optedIn ||
    completedArchiveOfPvc(request.namespace, request.name, pvc, context.namespaceJobs, config) !== undefined
  )
    return allow(request.uid);

  const keys = backupLabelKeys(config.labelPrefix);
  const job = result.kind === 'opted-in' ? ` (job ${result.intent.jobName})` : '';
  const refuses = 'and this cluster refuses to delete such PVCs';
  if (result.kind === 'opted-in' && result.intent.archive !== null) {
    const wait = `wait for the ArchiveReady Event (kubectl describe pvc ${request.name}) before deleting it`;
    if (config.denyDeleteWithoutArchive)
      return deny(
        request.uid,
        `PVC "${request.name}" is backed up${job} and its archive has not completed yet, ${refuses}: ${wait}`,
      );
    const consequence =
      'the archive can finish only while its Longhorn volume exists (a PersistentVolume with reclaimPolicy Delete takes the volume with the PVC)';
    return allow(request.uid, [
      `PVC "${request.name}" is backed up${job} and its archive has not completed yet: ${consequence}; ${wait}`,
    ]);
  }
  const keep = `to keep a final full backup, first label it ${keys.archive}=true ${keys.archiveDeleteAfter}=YYYY-MM-DD and let the archive complete; or opt it out with ${keys.enabled}=false`;
  if (config.denyDeleteWithoutArchive) {
    return deny(
      request.uid,
      `PVC "${request.name}" is backed up${job} and has no completed archive, ${refuses}: ${keep}`,
    );
  }
  const consequence = `no final full backup is made and its job is removed ${formatDuration(config.orphanGracePeriod)} after the deletion`;
  return allow(request.uid, [
    `PVC "${request.name}" is backed up${job} and has no completed archive: ${consequence}; ${keep}`,
  ]);
}
