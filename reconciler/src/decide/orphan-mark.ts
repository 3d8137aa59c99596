// A deleted PVC's job is marked with the time its PVC was first seen gone. The mark lives on the
// job, so a restarted reconciler keeps counting from the same moment.

import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';

export function orphanedSinceKey(labelPrefix: string): string {
  return backupLabelKeys(labelPrefix).orphanedSince;
}

/** When the job was marked orphaned, or undefined when it is not marked (or the mark is unreadable). */
export function orphanedSince(job: RecurringJob, labelPrefix: string): Date | undefined {
  const text = job.metadata.annotations?.[orphanedSinceKey(labelPrefix)];
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

export function hasOrphanMark(job: RecurringJob, labelPrefix: string): boolean {
  return job.metadata.annotations?.[orphanedSinceKey(labelPrefix)] !== undefined;
}
