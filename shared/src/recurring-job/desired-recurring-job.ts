import type { GuardConfig } from '../config/guard-config.ts';
import type { BackupIntent } from '../intent/backup-intent.ts';
import { formatSetting } from '../intent/backup-settings.ts';
import { PVC_LABEL_ENTRIES, type SettingName } from '../intent/label-schema.ts';
import { backupCron } from './backup-cron.ts';
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
 * Where each label goes is the label schema's `job` mapping.
 */
export function desiredRecurringJob(intent: BackupIntent, config: GuardConfig): DesiredRecurringJob {
  const { settings } = intent;
  const spec: Pick<DesiredRecurringJob['spec'], 'retain' | 'concurrency'> = { retain: 0, concurrency: 0 };
  const parameters: Record<string, string> = {};
  for (const [id, entry] of PVC_LABEL_ENTRIES) {
    const { job } = entry;
    if (job.via === 'spec' && job.field !== 'cron') spec[job.field] = settings[job.field];
    if (job.via === 'parameter') parameters[job.name] = formatSetting(settings[id as SettingName]);
  }
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'RecurringJob',
    metadata: {
      name: intent.jobName,
      namespace: config.longhornNamespace,
      labels: { ...ownershipLabels(intent.namespace, intent.pvcName, config), ...intent.jobLabels },
    },
    spec: {
      name: intent.jobName,
      task: 'backup',
      cron: backupCron(settings.start, settings.interval),
      ...spec,
      groups: [],
      labels: {},
      parameters,
    },
  };
}
