// Every Backup of the Longhorn namespace, lean (backup-record.ts), indexed by the job that made it.
// Unlike the archive workflow's Backup informer (label-selected: only this product's archive
// Backups), this one watches them all: recurring backups carry their job only in spec/status
// labels, which no label selector reaches. It reports which jobs a change concerns, and for a
// policy's shared job (whose Backups name no PVC) which volumes; a change health does not read
// (progress, messages) concerns none.

import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { InformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { objectKey } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { Backup } from '@longhorn-backup-guard/shared/longhorn/types';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import { POLICY_GROUP_PREFIX } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { backupRecordOf, indexJobOf, sameRecord, StringPool, type BackupRecord } from './backup-record.ts';
import type { KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';

export interface BackupCacheOptions {
  readonly kubeConfig: KubeSource;
  readonly longhornNamespace: string;
  readonly labelPrefix: string;
  readonly log: Logger;
  readonly informerMetrics?: InformerMetrics;
  readonly relistPeriodMs: number;
  /** Called with the names of the jobs whose Backups changed. */
  readonly onJobs: (jobs: readonly string[]) => void;
  /** Called with the Longhorn volumes whose Backups made by a policy job changed. */
  readonly onPolicyVolumes: (volumes: readonly string[]) => void;
}

export class BackupCache {
  readonly informer: Informer<BackupRecord>;
  readonly #byJob = new MultiIndex<BackupRecord>();

  constructor(options: BackupCacheOptions) {
    const pool = new StringPool();
    const add = (record: BackupRecord) => {
      const job = indexJobOf(record);
      if (job !== undefined) this.#byJob.set(job, objectKey(record), record);
    };
    const remove = (record: BackupRecord) => {
      const job = indexJobOf(record);
      if (job !== undefined) this.#byJob.delete(job, objectKey(record));
    };
    const jobsOf = (...records: BackupRecord[]) => [
      ...new Set(records.map(indexJobOf).filter((job) => job !== undefined)),
    ];
    const changed = (...records: BackupRecord[]) => {
      options.onJobs(jobsOf(...records));
      const volumes = records
        .filter((record) => record.job?.startsWith(POLICY_GROUP_PREFIX) === true)
        .map((record) => record.volume)
        .filter((volume) => volume !== undefined);
      if (volumes.length > 0) options.onPolicyVolumes([...new Set(volumes)]);
    };
    this.informer = new Informer<BackupRecord>({
      resource: 'backups-health',
      kubeConfig: options.kubeConfig,
      path: resourcePath({
        group: LONGHORN_GROUP,
        version: LONGHORN_VERSION,
        plural: LONGHORN_PLURALS.backup,
        namespace: options.longhornNamespace,
      }),
      transform: (object) => backupRecordOf(object as Backup, options.labelPrefix, pool),
      resyncPeriodMs: options.relistPeriodMs,
      log: options.log,
      metrics: options.informerMetrics,
      handler: {
        onAdd: (record) => {
          add(record);
          changed(record);
        },
        onUpdate: (old, record) => {
          remove(old);
          add(record);
          if (!sameRecord(old, record)) changed(old, record);
        },
        onDelete: (record) => {
          remove(record);
          changed(record);
        },
      },
    });
  }

  /** The Backups a job made (or, for an archive job, its archive Backups). */
  readonly backupsOfJob = (jobName: string): readonly BackupRecord[] => this.#byJob.get(jobName);

  /** Every job name some Backup names, with its Backups (the audit). */
  *jobs(): IterableIterator<[string, readonly BackupRecord[]]> {
    for (const job of this.#byJob.groups()) yield [job, this.#byJob.get(job)];
  }
}
