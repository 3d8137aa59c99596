// Every label key the product reads or writes, as a function of the configurable prefix.

export interface BackupLabelKeys {
  readonly enabled: string;
  readonly name: string;
  readonly retain: string;
  readonly interval: string;
  readonly start: string;
  readonly fullBackupInterval: string;
  readonly concurrency: string;
  readonly archive: string;
  readonly archiveDeleteAfter: string;
  /** On RecurringJobs only: ownership. */
  readonly managed: string;
  readonly sourceNamespace: string;
  readonly sourcePvc: string;
}

export function backupLabelKeys(prefix: string): BackupLabelKeys {
  return {
    enabled: `${prefix}/enabled`,
    name: `${prefix}/name`,
    retain: `${prefix}/retain`,
    interval: `${prefix}/interval`,
    start: `${prefix}/start`,
    fullBackupInterval: `${prefix}/full-backup-interval`,
    concurrency: `${prefix}/concurrency`,
    archive: `${prefix}/archive`,
    archiveDeleteAfter: `${prefix}/archive-delete-after`,
    managed: `${prefix}/managed`,
    sourceNamespace: `${prefix}/source-namespace`,
    sourcePvc: `${prefix}/source-pvc`,
  };
}

/** The keys a user may put on a PVC (the rest of our keys are written by the reconciler). */
export function pvcLabelKeys(prefix: string): readonly string[] {
  const keys = backupLabelKeys(prefix);
  return [keys.enabled, keys.name, keys.retain, keys.interval, keys.start, keys.fullBackupInterval, keys.concurrency, keys.archive, keys.archiveDeleteAfter];
}

/** True for any key under our prefix, known or not. */
export function isBackupLabelKey(key: string, prefix: string): boolean {
  return key.startsWith(`${prefix}/`);
}
