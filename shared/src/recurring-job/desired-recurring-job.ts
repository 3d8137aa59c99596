import type { GuardConfig } from '../config/guard-config.ts';
import { backupCron } from './backup-cron.ts';
import type { BackupIntent } from '../intent/backup-intent.ts';
import { backupLabelKeys } from '../intent/label-keys.ts';
import { LONGHORN_API_VERSION } from '../longhorn/api.ts';
import type { RecurringJob, RecurringJobSpec } from '../longhorn/types.ts';
import { ownershipLabels } from './managed-job.ts';

/** A RecurringJob with every field this product sets present. */
export interface DesiredRecurringJob extends RecurringJob {
  apiVersion: string;
  kind: 'RecurringJob';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Required<{ [K in keyof RecurringJobSpec]: NonNullable<RecurringJobSpec[K]> }>;
}

/**
 * The job for an opted-in PVC: `backup-<namespace>-<name>` in the Longhorn namespace, with the
 * ownership labels, and the archive labels while the PVC requests an archive (they stay on the
 * job when the PVC is deleted, which is how a deleted PVC's archived job is told from an orphan).
 */
export function desiredRecurringJob(intent: BackupIntent, config: GuardConfig): DesiredRecurringJob {
  const keys = backupLabelKeys(config.labelPrefix);
  const { settings } = intent;
  const archive = intent.archive === null ? {} : { [keys.archive]: 'true', [keys.archiveDeleteAfter]: intent.archive.deleteAfter };
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'RecurringJob',
    metadata: {
      name: intent.jobName,
      namespace: config.longhornNamespace,
      labels: { ...ownershipLabels(intent.namespace, intent.pvcName, config), ...archive },
    },
    spec: {
      name: intent.jobName,
      task: 'backup',
      cron: backupCron(settings.start, settings.interval),
      retain: settings.retain,
      concurrency: settings.concurrency,
      groups: [],
      labels: {},
      parameters: { 'full-backup-interval': String(settings.fullBackupInterval) },
    },
  };
}
