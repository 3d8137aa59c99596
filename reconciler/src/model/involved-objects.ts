import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { LONGHORN_API_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { InvolvedObject } from './actions.ts';

export function pvcObject(pvc: V1PersistentVolumeClaim): InvolvedObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata?.namespace ?? '',
    name: pvc.metadata?.name ?? '',
    uid: pvc.metadata?.uid,
  };
}

export function recurringJobObject(job: RecurringJob, longhornNamespace: string): InvolvedObject {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'RecurringJob',
    namespace: job.metadata.namespace ?? longhornNamespace,
    name: job.metadata.name ?? '',
    uid: job.metadata.uid,
  };
}
