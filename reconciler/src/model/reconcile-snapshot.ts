// Everything one decision reads, taken from the informer caches at one moment.

import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import type { PvcKey } from '../keys/pvc-key.ts';
import type { Action, LonghornPlural } from './actions.ts';
import type { KeyReport } from './key-report.ts';
import type { VolumeBinding } from '@longhorn-backup-guard/shared/storage/volume-binding';

export interface PvcWithBinding {
  readonly pvc: V1PersistentVolumeClaim;
  /** Its PV and Longhorn Volume as verified (volume-binding.ts); resolved when first read. */
  readonly binding: VolumeBinding;
}

export interface ReconcileSnapshot {
  readonly key: PvcKey;
  /** The PVC, or undefined when it is gone. */
  readonly pvc: V1PersistentVolumeClaim | undefined;
  /** The PVC's PV and Longhorn Volume as verified (volume-binding.ts); `unbound` when the PVC is gone. */
  readonly binding: VolumeBinding;
  /** The Volume of a verified binding (the only Volume ever acted on for this PVC). */
  readonly volume: Volume | undefined;
  /** Any Volume of the Longhorn namespace by name. */
  readonly volumeNamed: (name: string) => Volume | undefined;
  /** The PVCs of the key's namespace whose intent claims the backup name `name`, this one included (an index). */
  readonly claimants: (name: string) => readonly PvcWithBinding[];
  /**
   * Every PVC of the key's namespace, this one included: built when called (a walk, only on a name
   * clash or a gone PVC), so a copy of the snapshot (`{ ...snapshot }`) does not build it.
   */
  readonly namespacePvcs: () => readonly PvcWithBinding[];
  readonly storageClasses: readonly V1StorageClass[];
  /** The managed RecurringJobs whose source labels name this key. */
  readonly managedJobs: readonly RecurringJob[];
  /** Any RecurringJob of the Longhorn namespace by name, managed or not (the desired name's). */
  readonly jobNamed: (name: string) => RecurringJob | undefined;
  /** The archive workflow's watched objects of this key, by plural. */
  readonly watched: ReadonlyMap<LonghornPlural, readonly unknown[]>;
  readonly config: GuardConfig;
  readonly now: Date;
}

export interface Decision {
  /** In execution order; empty in the steady state. */
  readonly actions: readonly Action[];
  readonly report: KeyReport;
  /** Reconcile this key again after this many milliseconds (orphan grace period, archive timers). */
  readonly requeueAfter?: number;
}
