// The PVC fleet of the benchmark: N labelled, bound, Longhorn-backed PVCs spread over namespaces,
// each with its Longhorn Volume, plus the StorageClass and the namespaces they need. Created with
// bounded concurrency (one apiserver on a shared machine), over the caller's (pooled) client.
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, StorageV1Api, type KubeConfig } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { LONGHORN_API_VERSION, LONGHORN_GROUP, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { mergePatch } from '../../tests/harness/patch-content-types.ts';
import { forEachBounded } from '../lib/bounded.ts';

export const LONGHORN_NAMESPACE = defaultConfig.longhornNamespace;
/** Where the reconciler's ConfigMap and Lease live. */
export const GUARD_NAMESPACE = 'longhorn-backup-guard';
export const STORAGE_CLASS = 'longhorn';
export const INITIAL_RETAIN = 14;

export interface FleetPvc {
  readonly namespace: string;
  readonly name: string;
  readonly volume: string;
  readonly job: string;
}

/** PVC i lives in namespace i mod `namespaces`; names stay short enough for 40-character job names. */
export function planFleet(count: number, namespaces: number): FleetPvc[] {
  return Array.from({ length: count }, (_, i) => {
    const namespace = `team-${String(i % namespaces).padStart(2, '0')}`;
    const name = `data-${String(Math.floor(i / namespaces)).padStart(4, '0')}`;
    return { namespace, name, volume: `pvc-${randomUUID()}`, job: jobNameFor(namespace, name) };
  });
}

export function fleetLabels(pvc: FleetPvc, retain: number): Record<string, string> {
  const keys = backupLabelKeys(defaultConfig.labelPrefix);
  return {
    'app.kubernetes.io/name': 'postgres',
    [keys.enabled]: 'true',
    [keys.name]: pvc.name,
    [keys.retain]: String(retain),
    [keys.interval]: '6',
    [keys.start]: '2100',
    [keys.fullBackupInterval]: '4',
    [keys.concurrency]: '2',
  };
}

export const longhorn = { group: LONGHORN_GROUP, version: LONGHORN_VERSION, namespace: LONGHORN_NAMESPACE } as const;

/** Creates everything; returns how long each step took (ms). */
export async function createFleet(
  kc: KubeConfig,
  fleet: readonly FleetPvc[],
  concurrency: number,
  config: string,
): Promise<Record<string, number>> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const timings: Record<string, number> = {};
  const step = async (name: string, work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    timings[name] = performance.now() - started;
  };
  await step('namespaces, StorageClass, ConfigMap', async () => {
    const namespaces = [...new Set([LONGHORN_NAMESPACE, GUARD_NAMESPACE, ...fleet.map((pvc) => pvc.namespace)])];
    await forEachBounded(namespaces, concurrency, async (name) => {
      await core.createNamespace({ body: { metadata: { name } } });
    });
    await kc
      .makeApiClient(StorageV1Api)
      .createStorageClass({ body: { metadata: { name: STORAGE_CLASS }, provisioner: 'driver.longhorn.io' } });
    await core.createNamespacedConfigMap({
      namespace: GUARD_NAMESPACE,
      body: { metadata: { name: 'longhorn-backup-guard' }, data: { 'config.yaml': config } },
    });
  });
  // One pipeline per PVC (Volume, PVC, then its status and its PV side by side) instead of one step
  // per kind: the apiserver always has `concurrency` requests of every kind in flight.
  await step('Volumes, PVCs, PVC status Bound and PVs', () =>
    forEachBounded(fleet, concurrency, async (pvc) => {
      await custom.createNamespacedCustomObject({
        ...longhorn,
        plural: 'volumes',
        body: {
          apiVersion: LONGHORN_API_VERSION,
          kind: 'Volume',
          metadata: { name: pvc.volume },
          spec: { size: '10737418240', numberOfReplicas: 3, frontend: 'blockdev' },
        },
      });
      const created = await core.createNamespacedPersistentVolumeClaim({
        namespace: pvc.namespace,
        body: {
          metadata: { name: pvc.name, labels: fleetLabels(pvc, INITIAL_RETAIN) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '10Gi' } },
            storageClassName: STORAGE_CLASS,
            volumeName: pvc.volume,
          },
        },
      });
      await Promise.all([
        core.patchNamespacedPersistentVolumeClaimStatus(
          {
            namespace: pvc.namespace,
            name: pvc.name,
            body: { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } } },
          },
          mergePatch,
        ),
        // The PV the binder would have made: Longhorn's CSI volume, claimRef back at the PVC (its uid too).
        core.createPersistentVolume({
          body: {
            metadata: { name: pvc.volume },
            spec: {
              capacity: { storage: '10Gi' },
              accessModes: ['ReadWriteOnce'],
              storageClassName: STORAGE_CLASS,
              persistentVolumeReclaimPolicy: 'Retain',
              csi: { driver: 'driver.longhorn.io', volumeHandle: pvc.volume },
              claimRef: {
                apiVersion: 'v1',
                kind: 'PersistentVolumeClaim',
                namespace: pvc.namespace,
                name: pvc.name,
                uid: created.metadata?.uid ?? '',
              },
            },
          },
        }),
      ]);
    }),
  );
  return timings;
}
