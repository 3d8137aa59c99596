// The workflow's state as recorded in annotations on the job: which volume and PVC, which attempt,
// whether it failed (when and why), its result, and whether the request was withdrawn. Read back
// on every pass, so a restart at any point resumes from the cluster. Writes are merge patches.

import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { formatRfc3339 } from '../decide/orphan-mark.ts';
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
  /** Set when attempt `attempt` failed: it waits for its retry. */
  readonly failedAt: Date | undefined;
  /** Why the last failed attempt failed (Longhorn's text); kept while the retry runs. */
  readonly lastError: string | undefined;
  readonly result: ArchiveResult | undefined;
  readonly withdrawn: boolean;
}

type AnnotationPatch = Record<string, string | null>;
export interface JobAnnotationPatch {
  readonly metadata: { readonly annotations: AnnotationPatch };
}

const ERROR_MAX = 1024;

function patchOf(annotations: AnnotationPatch): JobAnnotationPatch {
  return { metadata: { annotations } };
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
    failedAt: time(notes[keys.failedAt]),
    lastError: notes[keys.lastError],
    result: backup ? { backup, url: url ?? '', completedAt: completedAt ?? '' } : undefined,
    withdrawn: notes[keys.withdrawnAt] !== undefined,
  };
}

/** A new record at `attempt`: everything of a previous one (another PVC's, or a withdrawn one) goes. */
export function startPatch(prefix: string, start: { volume: string; pvc: string; pvcUid: string; attempt: number }, now: Date): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({
    [keys.volume]: start.volume,
    [keys.pvc]: start.pvc,
    [keys.pvcUid]: start.pvcUid,
    [keys.attempt]: String(start.attempt),
    [keys.attemptStartedAt]: formatRfc3339(now),
    [keys.failedAt]: null,
    [keys.lastError]: null,
    [keys.backup]: null,
    [keys.backupUrl]: null,
    [keys.completedAt]: null,
    [keys.withdrawnAt]: null,
  });
}

/** The next attempt; the last error stays as the reason it is being retried. */
export function retryPatch(prefix: string, attempt: number, now: Date): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({ [keys.attempt]: String(attempt), [keys.attemptStartedAt]: formatRfc3339(now), [keys.failedAt]: null });
}

export function failurePatch(prefix: string, now: Date, error: string): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  const text = error.length > ERROR_MAX ? `${error.slice(0, ERROR_MAX - 1)}…` : error;
  return patchOf({ [keys.failedAt]: formatRfc3339(now), [keys.lastError]: text });
}

export function completionPatch(prefix: string, result: ArchiveResult): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({ [keys.backup]: result.backup, [keys.backupUrl]: result.url, [keys.completedAt]: result.completedAt, [keys.lastError]: null });
}

export function withdrawalPatch(prefix: string, now: Date): JobAnnotationPatch {
  return patchOf({ [archiveKeys(prefix).withdrawnAt]: formatRfc3339(now) });
}
