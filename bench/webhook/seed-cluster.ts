// What the webhook benchmarks need in their apiserver: the Longhorn StorageClass and the namespace
// the reviews are about, with labelled PVCs in it for the duplicate-name check to look at.
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import { forEachBounded } from '../lib/bounded.ts';
import type { ControlPlane } from '../lib/control-plane.ts';
import { BENCH_NAMESPACE, LONGHORN_STORAGE_CLASS, validBackupLabels } from './review-bodies.ts';

export async function seedStorageClassAndNamespace(plane: ControlPlane): Promise<void> {
  const kc = plane.kubeConfig();
  await kc
    .makeApiClient(StorageV1Api)
    .createStorageClass({ body: { metadata: { name: LONGHORN_STORAGE_CLASS }, provisioner: 'driver.longhorn.io' } });
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: BENCH_NAMESPACE } } });
}

/** The StorageClass and the namespace, holding `count` labelled PVCs (app-data-<i>). */
export async function seedCluster(plane: ControlPlane, count: number): Promise<void> {
  await seedStorageClassAndNamespace(plane);
  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `app-data-${i}`);
  await forEachBounded(names, 16, async (name) => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: BENCH_NAMESPACE,
      body: {
        metadata: { name, labels: validBackupLabels(name) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          storageClassName: LONGHORN_STORAGE_CLASS,
        },
      },
    });
  });
}
