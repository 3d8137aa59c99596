import { stringify } from 'yaml';
import { formatDuration } from '../cron/go-duration.ts';
import { formatStart } from '../intent/schedule-values.ts';
import type { GuardConfig } from './guard-config.ts';

/** The ConfigMap YAML for a configuration: `parseConfig(serializeConfig(c))` gives back `c`. */
export function serializeConfig(config: GuardConfig): string {
  return stringify({
    labelPrefix: config.labelPrefix,
    defaults: { ...config.defaults, start: formatStart(config.defaults.start) },
    maxRetention: config.maxRetention,
    longhornNamespace: config.longhornNamespace,
    provisioner: config.provisioner,
    excludedNamespaces: config.excludedNamespaces,
    namespacePolicyLabel: config.namespacePolicyLabel,
    clusterDefaultEnabled: config.clusterDefaultEnabled,
    watchNamespaces: config.watchNamespaces,
    orphanGracePeriod: formatDuration(config.orphanGracePeriod),
    resyncPeriod: formatDuration(config.resyncPeriod),
    denyDeleteWithoutArchive: config.denyDeleteWithoutArchive,
    snapshotReadyTimeout: formatDuration(config.snapshotReadyTimeout),
    backupCompletionTimeout: formatDuration(config.backupCompletionTimeout),
    archiveMaxAttempts: config.archiveMaxAttempts,
    backupStaleSlack: formatDuration(config.backupStaleSlack),
    backupFailingAfter: config.backupFailingAfter,
  });
}
