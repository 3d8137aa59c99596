// Whether a PVC is Longhorn-backed: its StorageClass (or the default one when it names none) is
// provisioned by Longhorn, or it is bound to a Longhorn volume. The second test uses the Volume
// cache the reconciler keeps anyway instead of a PersistentVolume informer: Longhorn names its
// Volume after the PV (or records the PV in status.kubernetesStatus.pvName), so a bound PVC whose
// PV has a Longhorn Volume is Longhorn-backed even with a foreign or deleted StorageClass (a
// restored volume bound through a static PV, for example).

import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Volume } from '@longhorn-backup-guard/shared/longhorn/types';

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

function creationTime(storageClass: V1StorageClass): number {
  const stamp = storageClass.metadata?.creationTimestamp as Date | string | undefined;
  return stamp === undefined ? 0 : new Date(stamp).getTime();
}

/** The default StorageClass; with several, the newest (as the DefaultStorageClass admission plugin picks). */
export function defaultStorageClass(storageClasses: readonly V1StorageClass[]): V1StorageClass | undefined {
  const defaults = storageClasses.filter((sc) => DEFAULT_CLASS_ANNOTATIONS.some((key) => sc.metadata?.annotations?.[key] === 'true'));
  return defaults.sort((a, b) => creationTime(b) - creationTime(a))[0];
}

/** The PVC's StorageClass: named, or the default for a PVC that names none (`""` means no class). */
export function storageClassOf(pvc: V1PersistentVolumeClaim, storageClasses: readonly V1StorageClass[]): V1StorageClass | undefined {
  const name = pvc.spec?.storageClassName as string | null | undefined;
  if (name === undefined || name === null) return defaultStorageClass(storageClasses);
  return storageClasses.find((sc) => sc.metadata?.name === name);
}

/** The Longhorn Volume of the PVC's bound PV: named after the PV, or recording it as its pvName. */
export function volumeOfPvc(pvc: V1PersistentVolumeClaim, volumes: { byName(name: string): Volume | undefined; byPvName(pvName: string): Volume | undefined }): Volume | undefined {
  const pvName = pvc.spec?.volumeName;
  if (pvName === undefined || pvName === '') return undefined;
  return volumes.byName(pvName) ?? volumes.byPvName(pvName);
}

export function isLonghornBacked(pvc: V1PersistentVolumeClaim, storageClasses: readonly V1StorageClass[], volume: Volume | undefined, provisioner: string): boolean {
  return storageClassOf(pvc, storageClasses)?.provisioner === provisioner || volume !== undefined;
}
