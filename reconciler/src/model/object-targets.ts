import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { LONGHORN_PLURALS } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { ObjectTarget } from './actions.ts';

export function jobTarget(config: GuardConfig, name: string) {
  return { resource: LONGHORN_PLURALS.recurringJob, namespace: config.longhornNamespace, name } as const;
}

export function volumeTarget(config: GuardConfig, name: string) {
  return { resource: LONGHORN_PLURALS.volume, namespace: config.longhornNamespace, name } as const;
}

export function pvcTarget(pvc: V1PersistentVolumeClaim): ObjectTarget {
  return {
    resource: 'persistentvolumeclaims',
    namespace: pvc.metadata?.namespace ?? '',
    name: pvc.metadata?.name ?? '',
  };
}

/**
 * A job that carries `<p>/archive=true` belongs to the archive workflow: the reconciler never
 * deletes it (not on opt-out, rename or PVC deletion), it reports it as retained.
 */
export function isArchiveJob(job: RecurringJob, config: GuardConfig): boolean {
  return job.metadata.labels?.[backupLabelKeys(config.labelPrefix).archive] === 'true';
}
