import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { NamespacePvcs } from './namespace-pvcs.ts';
import type { StatefulSetLike } from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';

/** Everything a decision may look at besides the request: a snapshot, so decisions stay pure. */
export interface AdmissionContext {
  readonly config: GuardConfig;
  /** The PVCs of the request's namespace as the cache holds them (the PVC itself may be among them). */
  readonly namespacePvcs: NamespacePvcs;
  readonly storageClasses: readonly StorageClassLike[];
  /** The managed RecurringJobs (`<p>/managed=true`) made for PVCs of the request's namespace, as cached. */
  readonly namespaceJobs: readonly RecurringJob[];
  /** The StatefulSets of the request's namespace, to recognise a replica's PVC. */
  readonly namespaceStatefulSets: readonly StatefulSetLike[];
  /** The labels of the request's namespace; null when the namespace is not known. */
  readonly namespaceLabels: Readonly<Record<string, string>> | null;
  readonly now: Date;
}
