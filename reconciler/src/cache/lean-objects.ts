// What the reconciler's informers keep of each object: only the fields its decisions, indexes and
// Events read (issue 13: the caches hold thousands of PVCs, PVs and Volumes). Anything not kept
// here reads as absent, so a decision that starts reading another field adds it here first
// (tests/unit/reconciler/lean-objects.test.ts runs the decisions on lean copies).
//   PVC    -> identity, labels, deletion; spec.storageClassName and volumeName; status.phase
//   PV     -> identity; spec.csi driver and volumeHandle, spec.claimRef; status.phase
//   Volume -> identity, labels, the product's own annotations (the orphan mark of a policy group
//             label, a policy PVC's health summary); status state, robustness, last backup and its
//             PVC (no spec: Longhorn's is large; no workload list: it changes with every pod)
import type { V1ObjectMeta, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { ObjectMeta, Volume, VolumeKubernetesStatus } from '@longhorn-backup-guard/shared/longhorn/types';

/** The identity, labels and deletion mark; no annotations, no bookkeeping. */
function leanMetadata<M extends V1ObjectMeta | ObjectMeta>(metadata: M | undefined): M {
  const { name, namespace, uid, resourceVersion, labels, creationTimestamp, deletionTimestamp } = metadata ?? {};
  return { name, namespace, uid, resourceVersion, labels, creationTimestamp, deletionTimestamp } as M;
}

/** Only the annotations under the product's prefix (the others, e.g. last-applied, can be large). */
function productAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  labelPrefix: string,
): Record<string, string> | undefined {
  if (annotations === undefined) return undefined;
  const own = Object.entries(annotations).filter(([key]) => key.startsWith(`${labelPrefix}/`));
  return own.length === 0 ? undefined : Object.fromEntries(own);
}

export function leanPvc(pvc: V1PersistentVolumeClaim): V1PersistentVolumeClaim {
  return {
    apiVersion: pvc.apiVersion,
    kind: pvc.kind,
    metadata: leanMetadata(pvc.metadata),
    spec: { storageClassName: pvc.spec?.storageClassName, volumeName: pvc.spec?.volumeName },
    status: { phase: pvc.status?.phase },
  };
}

export function leanPv(pv: V1PersistentVolume): V1PersistentVolume {
  const csi = pv.spec?.csi;
  const claim = pv.spec?.claimRef;
  return {
    apiVersion: pv.apiVersion,
    kind: pv.kind,
    metadata: leanMetadata(pv.metadata),
    spec: {
      ...(csi === undefined ? {} : { csi: { driver: csi.driver, volumeHandle: csi.volumeHandle } }),
      ...(claim === undefined ? {} : { claimRef: { namespace: claim.namespace, name: claim.name, uid: claim.uid } }),
    },
    status: { phase: pv.status?.phase },
  };
}

/** Which PVC Longhorn records, without its busy workload list (pods come and go). */
function kubernetesStatusOf(status: VolumeKubernetesStatus | undefined): VolumeKubernetesStatus | undefined {
  return status === undefined
    ? undefined
    : { namespace: status.namespace, pvcName: status.pvcName, pvName: status.pvName };
}

export function leanVolume(volume: Volume, labelPrefix: string): Volume {
  const status = volume.status;
  const annotations = productAnnotations(volume.metadata?.annotations, labelPrefix);
  return {
    apiVersion: volume.apiVersion,
    kind: volume.kind,
    metadata: { ...leanMetadata(volume.metadata), ...(annotations === undefined ? {} : { annotations }) },
    ...(status === undefined
      ? {}
      : {
          status: {
            state: status.state,
            robustness: status.robustness,
            lastBackup: status.lastBackup,
            lastBackupAt: status.lastBackupAt,
            kubernetesStatus: kubernetesStatusOf(status.kubernetesStatus),
          },
        }),
  };
}
