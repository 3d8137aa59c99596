// Which cached PVCs claim a backup name, and whose desired job has a given name, read from the
// shared backup-name index (a claimed name is always the `<p>/name` label's value) instead of a
// walk of the namespace on every decision and every PVC or job event. Fed by the PVC informers'
// add/update/delete beside the namespace index (reconciler-caches.ts).

import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { BackupNameIndex } from '@longhorn-backup-guard/shared/collections/backup-name-index';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { nameClaimOf } from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { intentOf } from '../model/intent-of.ts';

/** The `backup-` before every job name's namespace. */
const JOB_NAME_HEAD = jobNameFor('', '').slice(0, -1);

export class NameClaims {
  readonly #index: BackupNameIndex<V1PersistentVolumeClaim>;

  /** `everyPvc`: every cached PVC, to build the index from when the label prefix changes. */
  constructor(everyPvc: () => Iterable<V1PersistentVolumeClaim>) {
    this.#index = new BackupNameIndex(everyPvc);
  }

  put(pvc: V1PersistentVolumeClaim): void {
    this.#index.put(pvc);
  }

  remove(pvc: V1PersistentVolumeClaim): void {
    this.#index.remove(pvc);
  }

  /** The namespace's PVCs whose parsed intent claims `name` (nameClaimOf), in no particular order. */
  claimants(namespace: string, name: string, config: GuardConfig): V1PersistentVolumeClaim[] {
    return this.#index
      .labelled(namespace, backupLabelKeys(config.labelPrefix).name, name)
      .filter((pvc) => nameClaimOf(intentOf(pvc, config))?.name === name);
  }

  /**
   * The PVCs whose desired job is `jobName` (`backup-<namespace>-<name>`): a namespace may hold a
   * '-', so every split of the rest at a '-' is a candidate namespace and name.
   */
  claimantsOfJob(jobName: string, config: GuardConfig): V1PersistentVolumeClaim[] {
    if (!jobName.startsWith(JOB_NAME_HEAD)) return [];
    const claimants: V1PersistentVolumeClaim[] = [];
    for (let dash = jobName.indexOf('-', JOB_NAME_HEAD.length); dash !== -1; dash = jobName.indexOf('-', dash + 1)) {
      const namespace = jobName.slice(JOB_NAME_HEAD.length, dash);
      claimants.push(...this.claimants(namespace, jobName.slice(dash + 1), config));
    }
    return claimants;
  }
}
