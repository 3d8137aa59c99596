// What the worst-case webhook benchmark needs in its apiserver: the Longhorn StorageClass and the
// namespace the reviews are about.
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import type { ControlPlane } from '../lib/control-plane.ts';
import { BENCH_NAMESPACE, LONGHORN_STORAGE_CLASS } from './review-bodies.ts';

export async function seedStorageClassAndNamespace(plane: ControlPlane): Promise<void> {
  const kc = plane.kubeConfig();
  await kc
    .makeApiClient(StorageV1Api)
    .createStorageClass({ body: { metadata: { name: LONGHORN_STORAGE_CLASS }, provisioner: 'driver.longhorn.io' } });
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: BENCH_NAMESPACE } } });
}
