// The keys the archive workflow writes (shared/archive/archive-keys.ts, which the webhook reads
// too) and the labels linking its Snapshots and Backups to the job and the PVC.

import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { ownershipLabels } from '@longhorn-backup-guard/shared/recurring-job/managed-job';

/** The labels linking a Snapshot or Backup to its job and PVC: the job's ownership labels plus the job's name. */
export function archiveLinkLabels(
  config: GuardConfig,
  jobName: string,
  namespace: string,
  pvcName: string,
): Record<string, string> {
  return { ...ownershipLabels(namespace, pvcName, config), [archiveKeys(config.labelPrefix).archiveJob]: jobName };
}
