// The label keys of PVCs and of the product's RecurringJobs, from the label schema.

import { groupKeys, type GroupKeys } from './label-schema.ts';

/** The PVC labels and the job's own keys (ownership, orphan mark), by id. */
export type BackupLabelKeys = GroupKeys<'pvc'> & GroupKeys<'job'>;

let last: { readonly prefix: string; readonly keys: BackupLabelKeys } | undefined;

/** Frozen, and the same object for the same prefix as last time (asked for many times per reconcile). */
export function backupLabelKeys(prefix: string): BackupLabelKeys {
  if (last?.prefix !== prefix)
    last = { prefix, keys: Object.freeze({ ...groupKeys('pvc', prefix), ...groupKeys('job', prefix) }) };
  return last.keys;
}

/** The keys a user may put on a PVC (the rest of our keys are written by the reconciler). */
export function pvcLabelKeys(prefix: string): readonly string[] {
  return Object.values(groupKeys('pvc', prefix));
}

/** True for any key under our prefix, known or not. */
export function isBackupLabelKey(key: string, prefix: string): boolean {
  return key.startsWith(`${prefix}/`);
}
