// The annotation and label keys of the archive workflow. Its state lives in annotations on the
// PVC's RecurringJob (the job outlives the PVC, so the workflow can finish and be reported after
// the PVC is deleted); its Snapshots and Backups carry labels linking them to the job and the PVC.
// The reconciler writes them; the webhook reads whether an archive completed.

export interface ArchiveKeys {
  /** On the job: the Longhorn Volume being archived (recorded at the start). */
  readonly volume: string;
  /** On the job, Snapshots and Backups: the PVC's full name (a label value may be too short for it). */
  readonly pvc: string;
  /** On the job: the PVC's uid, which the object names are derived from. */
  readonly pvcUid: string;
  /** On the job: the attempt in flight (or the last one), from 1, and when it started. */
  readonly attempt: string;
  readonly attemptStartedAt: string;
  /** On the job: the attempt this run of the workflow started at (attempts are capped per run). */
  readonly firstAttempt: string;
  /** On the job: the Snapshot the current attempt backs up (a ready one of an earlier attempt is reused). */
  readonly snapshot: string;
  /** On the job: when that attempt was found failed, and why (Longhorn's text). */
  readonly failedAt: string;
  readonly lastError: string;
  /** On the job: the completed archive. */
  readonly backup: string;
  readonly backupUrl: string;
  readonly completedAt: string;
  /** On the job: the request was withdrawn (the label removed) at this time. */
  readonly withdrawnAt: string;
  /** Label on Snapshots and Backups: the job they archive. */
  readonly archiveJob: string;
}

export function archiveKeys(prefix: string): ArchiveKeys {
  return {
    volume: `${prefix}/archive-volume`,
    pvc: `${prefix}/archive-pvc`,
    pvcUid: `${prefix}/archive-pvc-uid`,
    attempt: `${prefix}/archive-attempt`,
    attemptStartedAt: `${prefix}/archive-attempt-started-at`,
    firstAttempt: `${prefix}/archive-first-attempt`,
    snapshot: `${prefix}/archive-snapshot`,
    failedAt: `${prefix}/archive-failed-at`,
    lastError: `${prefix}/archive-last-error`,
    backup: `${prefix}/archive-backup`,
    backupUrl: `${prefix}/archive-backup-url`,
    completedAt: `${prefix}/archive-completed-at`,
    withdrawnAt: `${prefix}/archive-withdrawn-at`,
    archiveJob: `${prefix}/archive-job`,
  };
}
