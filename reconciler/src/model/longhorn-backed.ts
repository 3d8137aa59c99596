// Whether a PVC is Longhorn-backed: its StorageClass (or the default one when it names none) is
// provisioned by Longhorn (shared storage-class-of.ts, the webhook judges the same way), or it is
// bound to a Longhorn volume. The second test uses the Volume cache the reconciler keeps anyway
// instead of a PersistentVolume informer: Longhorn names its Volume after the PV (or records the
// PV in status.kubernetesStatus.pvName), so a bound PVC whose PV has a Longhorn Volume is
// Longhorn-backed even with a foreign or deleted StorageClass (a restored volume bound through a
// static PV, for example).

import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';

/** The Longhorn Volume of the PVC's bound PV: named after the PV, or recording it as its pvName. */
export function volumeOfPvc(pvc: V1PersistentVolumeClaim, volumes: { byName(name: string): Volume | undefined; byPvName(pvName: string): Volume | undefined }): Volume | undefined {
  const pvName = pvc.spec?.volumeName;
  if (pvName === undefined || pvName === '') return undefined;
  return volumes.byName(pvName) ?? volumes.byPvName(pvName);
}

export function isLonghornBacked(pvc: V1PersistentVolumeClaim, storageClasses: readonly V1StorageClass[], volume: Volume | undefined, provisioner: string): boolean {
  return storageBackingOf(pvc, storageClasses, provisioner).kind === 'longhorn' || volume !== undefined;
}
