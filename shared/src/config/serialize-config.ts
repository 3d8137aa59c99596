import { stringify } from 'yaml';
import { formatDuration } from '../cron/go-duration.ts';
import { formatStart } from '../intent/schedule-values.ts';
import type { PolicySchedule } from '../policy/backup-policy.ts';
import type { GuardConfig } from './guard-config.ts';

function serializeSchedule(schedule: PolicySchedule): Record<string, unknown> {
  const { timing } = schedule;
  const when =
    timing.kind === 'every'
      ? { every: `${timing.interval}h`, start: formatStart(timing.start) }
      : timing.kind === 'daily'
        ? { daily: formatStart(timing.at) }
        : { weekly: { day: timing.day, at: formatStart(timing.at) } };
  return {
    name: schedule.name,
    task: schedule.task,
    ...when,
    retain: schedule.retain,
    concurrency: schedule.concurrency,
    ...(schedule.fullBackupInterval === null ? {} : { fullBackupInterval: schedule.fullBackupInterval }),
  };
}

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
    policies: Object.fromEntries(
      config.policies.map((policy) => [policy.name, policy.schedules.map(serializeSchedule)]),
    ),
  });
}
