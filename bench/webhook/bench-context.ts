// What the in-process benchmarks decide against: the namespace run.ts seeds (N labelled PVCs, each
// with its own backup name, Longhorn-backed) and a context over it.
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import type { AdmissionContext } from '@longhorn-backup-guard/webhook/decide/admission-context';
import type { NamespacePvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';
import { BENCH_NAMESPACE, LONGHORN_STORAGE_CLASS, validBackupLabels } from './review-bodies.ts';

/** app-data-<i>, frozen like the informer's objects. */
export function seededPvcs(count: number): PvcLike[] {
  return Array.from({ length: count }, (_, i) =>
    Object.freeze({
      metadata: { name: `app-data-${i}`, namespace: BENCH_NAMESPACE, labels: validBackupLabels(`app-data-${i}`) },
      spec: { storageClassName: LONGHORN_STORAGE_CLASS },
    }),
  );
}

export function benchContext(namespacePvcs: NamespacePvcs): AdmissionContext {
  return {
    config: defaultConfig,
    namespacePvcs,
    storageClasses: [{ metadata: { name: LONGHORN_STORAGE_CLASS }, provisioner: 'driver.longhorn.io' }],
    namespaceJobs: [],
    namespaceStatefulSets: [],
    namespaceLabels: {},
    now: new Date(),
  };
}
