import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { LONGHORN_API_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
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

/** A Longhorn object of the Longhorn namespace. */
function longhornObject(kind: string, object: RecurringJob | Volume, longhornNamespace: string): InvolvedObject {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind,
    namespace: object.metadata.namespace ?? longhornNamespace,
    name: object.metadata.name ?? '',
    uid: object.metadata.uid,
  };
}

export function recurringJobObject(job: RecurringJob, longhornNamespace: string): InvolvedObject {
  return longhornObject('RecurringJob', job, longhornNamespace);
}

export function volumeObject(volume: Volume, longhornNamespace: string): InvolvedObject {
  return longhornObject('Volume', volume, longhornNamespace);
}
