// The archive workflow's Events: on the PVC while it exists, on the job once it is gone (the job
// is what remains of the archive). Reasons are stable: people grep for them.

import { pvcObject, recurringJobObject } from '../model/involved-objects.ts';
import type { EventSpec } from '../model/actions.ts';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { ArchiveContext } from '../model/archive-contract.ts';

export const ARCHIVE_EVENT_REASONS = {
  notStarted: 'ArchiveNotStarted',
  waiting: 'ArchiveWaiting',
  snapshotCreated: 'ArchiveSnapshotCreated',
  backupCreated: 'ArchiveBackupCreated',
  ready: 'ArchiveReady',
  failed: 'ArchiveFailed',
  attemptsExhausted: 'ArchiveAttemptsExhausted',
  volumeGone: 'ArchiveVolumeGone',
  expired: 'ArchiveExpired',
  withdrawn: 'ArchiveWithdrawn',
} as const;

export function archiveEvent(
  ctx: ArchiveContext,
  job: RecurringJob,
  type: EventSpec['type'],
  reason: string,
  message: string,
): EventSpec {
  const involvedObject =
    ctx.pvc === undefined ? recurringJobObject(job, ctx.config.longhornNamespace) : pvcObject(ctx.pvc);
  return { involvedObject, type, reason, message };
}
