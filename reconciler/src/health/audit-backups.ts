// The audit of Backups nobody looks after any more (the seed's v0.11 idea), pure:
//   untracked        Backups whose RecurringJob label (or archive-job label) names a job that no
//                    longer exists: after an opt-out, an orphan's deletion, a manual delete;
//   expired archives archive Backups whose job's archive-delete-after day has passed.
// Reported (metrics, README's commands to list them), never deleted: deleting a Backup deletes
// the backup data, which is a person's decision.

import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { isArchiveExpired } from '@longhorn-backup-guard/shared/intent/archive-expiry';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { BackupRecord } from './backup-record.ts';

export interface BackupJobGroup {
  readonly jobName: string;
  readonly backups: readonly BackupRecord[];
  /** The job, when it exists. */
  readonly job: RecurringJob | undefined;
}

export interface BackupAudit {
  /** Job name -> how many of its Backups are untracked. */
  readonly untracked: ReadonlyMap<string, number>;
  /** Job name -> how many of its archive Backups are past the delete-after date. */
  readonly expiredArchives: ReadonlyMap<string, number>;
}

export function auditBackups(groups: Iterable<BackupJobGroup>, labelPrefix: string, now: Date): BackupAudit {
  const keys = backupLabelKeys(labelPrefix);
  const untracked = new Map<string, number>();
  const expiredArchives = new Map<string, number>();
  for (const { jobName, backups, job } of groups) {
    if (backups.length === 0) continue;
    if (job === undefined) {
      untracked.set(jobName, backups.length);
      continue;
    }
    const deleteAfter = job.metadata.labels?.[keys.archiveDeleteAfter];
    if (deleteAfter === undefined || !isArchiveExpired({ deleteAfter }, now)) continue;
    const archives = backups.filter((backup) => backup.archiveJob === jobName).length;
    if (archives > 0) expiredArchives.set(jobName, archives);
  }
  return { untracked, expiredArchives };
}
