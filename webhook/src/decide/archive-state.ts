// Whether the PVC's archive (the final full backup) is done, so deleting it loses nothing. The
// reconciler records completion on the PVC's RecurringJob (annotations, shared/archive); any job
// made for this PVC counts (the one named by `<p>/name`, or one kept from before a rename), as
// long as its record is of this PVC's uid and was not withdrawn.

import { completedArchiveOf } from '@longhorn-backup-guard/shared/archive/archive-completion';
import type { ArchiveResult } from '@longhorn-backup-guard/shared/archive/archive-record';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { PvcLike } from '../admission/pvc-object.ts';

export function completedArchiveOfPvc(
  namespace: string,
  pvcName: string,
  pvc: PvcLike,
  jobs: readonly RecurringJob[],
  config: GuardConfig,
): ArchiveResult | undefined {
  const uid = pvc.metadata?.uid ?? '';
  for (const job of jobs) {
    if (!isJobOfPvc(job, namespace, pvcName, config)) continue;
    const result = completedArchiveOf(job, uid, config.labelPrefix);
    if (result !== undefined) return result;
  }
  return undefined;
}
