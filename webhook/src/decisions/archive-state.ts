import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { labelsOf, type PvcLike } from '../admission/pvc-object.ts';

/**
 * Whether the PVC's archive (the final full backup) is done, so deleting it loses nothing.
 * TODO(archive state): the reconciler records archive completion on the RecurringJob; once that
 * record exists, read it here (through the AdmissionContext) instead of trusting the request
 * label. Until then `<p>/archive=true` is the only signal.
 */
export function hasCompletedArchive(pvc: PvcLike, config: GuardConfig): boolean {
  return labelsOf(pvc)[backupLabelKeys(config.labelPrefix).archive] === 'true';
}
