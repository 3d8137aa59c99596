// Builders for decide() snapshots: PVCs, StorageClasses, jobs and volumes as the caches hold them.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { nameClaimOf } from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { intentOf } from '@longhorn-backup-guard/reconciler/model/intent-of';
import type { ReconcileSnapshot } from '@longhorn-backup-guard/reconciler/model/reconcile-snapshot';
import { boundVolume, resolveVolumeBinding } from '@longhorn-backup-guard/shared/storage/volume-binding';
import { defaultBackupJobSpec } from '../../fixtures/default-job-spec.ts';

export const P = 'backup.vluwte.nl';
export const LONGHORN_NS = 'longhorn-system';
export const NOW = new Date('2026-11-23T12:00:00Z');

export const longhornClass: V1StorageClass = { metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io' };
export const nfsClass: V1StorageClass = { metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io' };

export function pvc(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  spec: { storageClassName?: string | null; volumeName?: string } = {},
): V1PersistentVolumeClaim {
  const storageClassName = spec.storageClassName === undefined ? 'longhorn' : spec.storageClassName;
  return {
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, labels },
    spec: {
      ...(storageClassName === null ? {} : { storageClassName }),
      ...(spec.volumeName === undefined ? {} : { volumeName: spec.volumeName }),
    },
    ...(spec.volumeName === undefined ? {} : { status: { phase: 'Bound' } }),
  };
}

/**
 * The PV the binder made for `claim`: Longhorn's CSI driver, its volumeHandle `volumeHandle`, claimRef back at the
 * claim.
 */
export function boundPv(
  claim: V1PersistentVolumeClaim,
  volumeHandle = claim.spec?.volumeName ?? '',
  driver = 'driver.longhorn.io',
): V1PersistentVolume {
  const { namespace, name, uid } = claim.metadata ?? {};
  return {
    metadata: { name: claim.spec?.volumeName ?? '' },
    spec: { csi: { driver, volumeHandle }, claimRef: { kind: 'PersistentVolumeClaim', namespace, name, uid } },
    status: { phase: 'Bound' },
  };
}

export function volume(name: string, labels: Record<string, string> = {}): Volume {
  return { metadata: { name, namespace: LONGHORN_NS, labels } };
}

export function job(
  name: string,
  labels: Record<string, string>,
  extra: { annotations?: Record<string, string>; spec?: RecurringJob['spec'] } = {},
): RecurringJob {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'RecurringJob',
    metadata: {
      name,
      namespace: LONGHORN_NS,
      uid: `uid-${name}`,
      resourceVersion: '7',
      labels,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: extra.spec ?? defaultBackupJobSpec(name),
  };
}

export function managedLabels(
  namespace: string,
  pvcName: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { [`${P}/managed`]: 'true', [`${P}/source-namespace`]: namespace, [`${P}/source-pvc`]: pvcName, ...extra };
}

export interface World {
  pvcs?: V1PersistentVolumeClaim[];
  volumes?: Volume[];
  /** Default: a Longhorn PV bound to each PVC that names one (boundPv). */
  pvs?: V1PersistentVolume[];
  jobs?: RecurringJob[];
  storageClasses?: V1StorageClass[];
  config?: GuardConfig;
  now?: Date;
}

/** The snapshot of key `namespace/pvcName` in a small world, as the reconciler's caches would give it. */
export function snapshotOf(namespace: string, pvcName: string, world: World): ReconcileSnapshot {
  const config = world.config ?? defaultConfig;
  const pvcs = world.pvcs ?? [];
  const volumes = world.volumes ?? [];
  const jobs = world.jobs ?? [];
  const pvs = world.pvs ?? pvcs.filter((p) => (p.spec?.volumeName ?? '') !== '').map((p) => boundPv(p));
  const volumeNamed = (name: string) => volumes.find((v) => v.metadata.name === name);
  const lookups = { pvNamed: (name: string) => pvs.find((pv) => pv.metadata?.name === name), volumeNamed };
  const bindingOf = (claim: V1PersistentVolumeClaim) => resolveVolumeBinding(claim, lookups, config.provisioner);
  const claim = pvcs.find((p) => p.metadata?.namespace === namespace && p.metadata.name === pvcName);
  const binding = claim === undefined ? ({ kind: 'unbound' } as const) : bindingOf(claim);
  const namespacePvcs = pvcs
    .filter((p) => p.metadata?.namespace === namespace)
    .map((p) => ({ pvc: p, binding: bindingOf(p) }));
  return {
    key: { namespace, pvcName },
    pvc: claim,
    binding,
    volume: boundVolume(binding),
    volumeNamed,
    namespacePvcs: () => namespacePvcs,
    claimants: (name) => namespacePvcs.filter(({ pvc }) => nameClaimOf(intentOf(pvc, config))?.name === name),
    storageClasses: world.storageClasses ?? [longhornClass, nfsClass],
    managedJobs: jobs.filter((j) => isJobOfPvc(j, namespace, pvcName, config)),
    jobNamed: (name) => jobs.find((j) => j.metadata.name === name),
    watched: new Map(),
    config,
    now: world.now ?? NOW,
  };
}
