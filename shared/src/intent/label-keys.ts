// The label keys of PVCs and of the product's RecurringJobs, from the label schema.

import { groupKeys, type GroupKeys } from './label-schema.ts';

/** The PVC labels and the job's own keys (ownership, orphan mark), by id. */
export type BackupLabelKeys = GroupKeys<'pvc'> & GroupKeys<'job'>;

export function backupLabelKeys(prefix: string): BackupLabelKeys {
  return { ...groupKeys('pvc', prefix), ...groupKeys('job', prefix) };
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
