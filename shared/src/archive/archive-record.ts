// Reading the archive workflow's record from the annotations on a RecurringJob: which volume and
// PVC, which attempt, whether it failed (when and why), its result, and whether the request was
// withdrawn. The reconciler resumes from it on every pass (and writes it: reconciler/src/archive/
// archive-record.ts); the webhook asks it whether a PVC's archive completed.

import type { RecurringJob } from '../longhorn/types.ts';
import { archiveKeys } from './archive-keys.ts';

export interface ArchiveResult {
  readonly backup: string;
  readonly url: string;
  /** Longhorn's status.backupCreatedAt, or the time the completion was seen. */
  readonly completedAt: string;
}

export interface ArchiveRecord {
  readonly volume: string;
  /** The PVC's full name. */
  readonly pvc: string;
  readonly pvcUid: string;
  readonly attempt: number;
  /** When the attempt started (its Snapshot is due within snapshotReadyTimeout of it). */
  readonly attemptStartedAt: Date | undefined;
  /** The attempt this run started at (1 when not recorded): attempts are counted from it. */
  readonly firstAttempt: number;
  /** The Snapshot this attempt backs up, when recorded (else the attempt's own name). */
  readonly snapshot: string | undefined;
  /** Set when attempt `attempt` failed: it waits for its retry. */
  readonly failedAt: Date | undefined;
  /** Why the last failed attempt failed (Longhorn's text); kept while the retry runs. */
  readonly lastError: string | undefined;
  readonly result: ArchiveResult | undefined;
  readonly withdrawn: boolean;
}

function positiveInteger(text: string | undefined): number | undefined {
  return text !== undefined && /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : undefined;
}

function time(text: string | undefined): Date | undefined {
  const ms = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The job's record, or null when it has none (or one too damaged to continue from). */
export function readArchiveRecord(job: RecurringJob, prefix: string): ArchiveRecord | null {
  const keys = archiveKeys(prefix);
  const notes = job.metadata.annotations ?? {};
  const [volume, pvc, pvcUid] = [notes[keys.volume], notes[keys.pvc], notes[keys.pvcUid]];
  const attempt = positiveInteger(notes[keys.attempt]);
  if (!volume || !pvc || !pvcUid || attempt === undefined) return null;
  const [backup, url, completedAt] = [notes[keys.backup], notes[keys.backupUrl], notes[keys.completedAt]];
  return {
    volume,
    pvc,
    pvcUid,
    attempt,
    attemptStartedAt: time(notes[keys.attemptStartedAt]),
    firstAttempt: Math.min(attempt, positiveInteger(notes[keys.firstAttempt]) ?? 1),
    snapshot: notes[keys.snapshot] || undefined,
    failedAt: time(notes[keys.failedAt]),
    lastError: notes[keys.lastError],
    result: backup ? { backup, url: url ?? '', completedAt: completedAt ?? '' } : undefined,
    withdrawn: notes[keys.withdrawnAt] !== undefined,
  };
}
