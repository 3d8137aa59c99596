// What the webhook benchmarks need in their apiserver: the Longhorn StorageClass and the namespace
// the reviews are about, holding `count` other labelled PVCs (the duplicate-name check looks at them).
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import { forEachBounded } from '../lib/bounded.ts';
import type { ControlPlane } from '../lib/control-plane.ts';
import { BENCH_NAMESPACE, LONGHORN_STORAGE_CLASS, validBackupLabels } from './review-bodies.ts';

export async function seedCluster(plane: ControlPlane, count: number): Promise<void> {
  const kc = plane.kubeConfig();
  await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: LONGHORN_STORAGE_CLASS }, provisioner: 'driver.longhorn.io' } });
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: BENCH_NAMESPACE } } });
  const names = Array.from({ length: count }, (_, i) => `app-data-${i}`);
  await forEachBounded(names, 16, async (name) => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: BENCH_NAMESPACE,
      body: {
        metadata: { name, labels: validBackupLabels(name) },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: LONGHORN_STORAGE_CLASS },
      },
    });
  });
}
