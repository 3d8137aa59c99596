// The workflow's state as recorded in annotations on the job: which volume and PVC, which attempt,
// whether it failed (when and why), its result, and whether the request was withdrawn. Read back
// on every pass (shared/archive/archive-record.ts, which the webhook reads too), so a restart at
// any point resumes from the cluster. Writes are merge patches.

import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import type { ArchiveResult } from '@longhorn-backup-guard/shared/archive/archive-record';
import { formatRfc3339 } from '../model/rfc3339.ts';

type AnnotationPatch = Record<string, string | null>;
export interface JobAnnotationPatch {
  readonly metadata: { readonly annotations: AnnotationPatch };
}

const ERROR_MAX = 1024;

function patchOf(annotations: AnnotationPatch): JobAnnotationPatch {
  return { metadata: { annotations } };
}

/** A new record at `attempt`: everything of a previous one (another PVC's, or a withdrawn one) goes. */
export function startPatch(
  prefix: string,
  start: { volume: string; pvc: string; pvcUid: string; attempt: number },
  now: Date,
): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({
    [keys.volume]: start.volume,
    [keys.pvc]: start.pvc,
    [keys.pvcUid]: start.pvcUid,
    [keys.attempt]: String(start.attempt),
    [keys.firstAttempt]: String(start.attempt),
    [keys.snapshot]: null,
    [keys.attemptStartedAt]: formatRfc3339(now),
    [keys.failedAt]: null,
    [keys.lastError]: null,
    [keys.backup]: null,
    [keys.backupUrl]: null,
    [keys.completedAt]: null,
    [keys.withdrawnAt]: null,
  });
}

/**
 * The next attempt, backing up the ready Snapshot `reusedSnapshot` of an earlier attempt or (when
 * undefined) a Snapshot of its own; the last error stays as the reason it is being retried.
 */
export function retryPatch(prefix: string, attempt: number, now: Date, reusedSnapshot?: string): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({
    [keys.attempt]: String(attempt),
    [keys.snapshot]: reusedSnapshot ?? null,
    [keys.attemptStartedAt]: formatRfc3339(now),
    [keys.failedAt]: null,
  });
}

export function failurePatch(prefix: string, now: Date, error: string): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  const text = error.length > ERROR_MAX ? `${error.slice(0, ERROR_MAX - 1)}…` : error;
  return patchOf({ [keys.failedAt]: formatRfc3339(now), [keys.lastError]: text });
}

export function completionPatch(prefix: string, result: ArchiveResult): JobAnnotationPatch {
  const keys = archiveKeys(prefix);
  return patchOf({
    [keys.backup]: result.backup,
    [keys.backupUrl]: result.url,
    [keys.completedAt]: result.completedAt,
    [keys.lastError]: null,
  });
}

export function withdrawalPatch(prefix: string, now: Date): JobAnnotationPatch {
  return patchOf({ [archiveKeys(prefix).withdrawnAt]: formatRfc3339(now) });
}
