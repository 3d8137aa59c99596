// Whether a PVC is Longhorn-backed: its StorageClass (or the default one when it names none) is
// provisioned by Longhorn (shared storage-class-of.ts, the webhook judges the same way), or its PV
// is a Longhorn CSI volume bound to it (volume-binding.ts), so a restored volume bound through a
// static PV is Longhorn-backed even with a foreign or deleted StorageClass. A PV merely named in
// spec.volumeName, bound to another claim, makes nothing Longhorn-backed.

import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { storageBackingOf } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { hasLonghornPv, type VolumeBinding } from '@longhorn-backup-guard/shared/storage/volume-binding';

/** `binding` is resolved only when the StorageClass does not already say so. */
export function isLonghornBacked(
  pvc: V1PersistentVolumeClaim,
  storageClasses: readonly V1StorageClass[],
  binding: () => VolumeBinding,
  provisioner: string,
): boolean {
  return storageBackingOf(pvc, storageClasses, provisioner).kind === 'longhorn' || hasLonghornPv(binding());
}
