// The label keys of PVCs and of the product's RecurringJobs, from the label schema.

import { groupKeys, type GroupKeys } from './label-schema.ts';

/** The PVC labels and the job's own keys (ownership, orphan mark), by id. */
export type BackupLabelKeys = GroupKeys<'pvc'> & GroupKeys<'job'>;

let lastBuilt: { readonly prefix: string; readonly keys: BackupLabelKeys } | undefined;

/** The same frozen object for the same prefix as the call before (one configuration: every call). */
export function backupLabelKeys(prefix: string): BackupLabelKeys {
  if (lastBuilt?.prefix !== prefix)
    lastBuilt = { prefix, keys: Object.freeze({ ...groupKeys('pvc', prefix), ...groupKeys('job', prefix) }) };
  return lastBuilt.keys;
}

/** The keys a user may put on a PVC (the rest of our keys are written by the reconciler). */
export function pvcLabelKeys(prefix: string): readonly string[] {
  return Object.values(groupKeys('pvc', prefix));
}

/** What every key under our prefix starts with. */
export function backupLabelKeyPrefix(prefix: string): string {
  return `${prefix}/`;
}

/** True for any key under our prefix, known or not. */
export function isBackupLabelKey(key: string, prefix: string): boolean {
  return key.startsWith(backupLabelKeyPrefix(prefix));
}
