// DELETE of a PVC that is backed up and has no archive: its last backups stay, but no final full
// backup is made and its job goes after the grace period. A warning, or a denial when configured.

import { formatDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { labelsOf } from '../admission/pvc-object.ts';
import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import { allow, deny } from '../admission/review-response.ts';
import type { AdmissionContext } from './admission-context.ts';
import { hasCompletedArchive } from './archive-state.ts';

export function decideDeletion(request: PvcAdmissionRequest, context: AdmissionContext): AdmissionResponse {
  const pvc = request.oldObject;
  const { config } = context;
  if (pvc === null || storageBackingOf(pvc, context.storageClasses, config.provisioner).kind === 'other') return allow(request.uid);
  const result = parseIntent({ namespace: request.namespace, name: request.name, labels: labelsOf(pvc) }, config);
  const optedIn = result.kind === 'opted-in' || (result.kind === 'invalid' && result.enabled === true);
  if (!optedIn || hasCompletedArchive(pvc, config)) return allow(request.uid);

  const keys = backupLabelKeys(config.labelPrefix);
  const job = result.kind === 'opted-in' ? ` (job ${result.intent.jobName})` : '';
  const keep = `to keep a final full backup, first label it ${keys.archive}=true ${keys.archiveDeleteAfter}=YYYY-MM-DD and let the archive complete; or opt it out with ${keys.enabled}=false`;
  if (config.denyDeleteWithoutArchive) {
    return deny(request.uid, `PVC "${request.name}" is backed up${job} and has no completed archive, and this cluster refuses to delete such PVCs: ${keep}`);
  }
  const consequence = `no final full backup is made and its job is removed ${formatDuration(config.orphanGracePeriod)} after the deletion`;
  return allow(request.uid, [`PVC "${request.name}" is backed up${job} and has no completed archive: ${consequence}; ${keep}`]);
}
