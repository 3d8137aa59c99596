// A deleted PVC's job (or a policy's job once no PVC uses it, or a policy group label on a volume
// no PVC is bound to any more) is marked with the time that was first seen. The mark lives on the
// object, so a restarted reconciler keeps counting from the same moment.

import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import type { ObjectMeta } from '@longhorn-backup-guard/shared/longhorn/types';

type Marked = { readonly metadata: ObjectMeta };

export function orphanedSinceKey(labelPrefix: string): string {
  return backupLabelKeys(labelPrefix).orphanedSince;
}

/** When the job was marked orphaned, or undefined when it is not marked (or the mark is unreadable). */
export function orphanedSince(job: Marked, labelPrefix: string): Date | undefined {
  const text = job.metadata.annotations?.[orphanedSinceKey(labelPrefix)];
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

export function hasOrphanMark(job: Marked, labelPrefix: string): boolean {
  return job.metadata.annotations?.[orphanedSinceKey(labelPrefix)] !== undefined;
}

/** Where an orphan stands: to be marked now, within its grace period (ms left), or past it. */
export type OrphanStep =
  | { readonly kind: 'mark' }
  | { readonly kind: 'wait'; readonly remaining: number }
  | { readonly kind: 'expired'; readonly since: Date };

export function orphanStep(object: Marked, labelPrefix: string, now: Date, gracePeriod: number): OrphanStep {
  const since = orphanedSince(object, labelPrefix);
  if (since === undefined) return { kind: 'mark' };
  const remaining = since.getTime() + gracePeriod - now.getTime();
  return remaining > 0 ? { kind: 'wait', remaining } : { kind: 'expired', since };
}
