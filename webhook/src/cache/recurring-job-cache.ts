// The RecurringJobs this product manages (`<p>/managed=true`, in the Longhorn namespace), by the
// namespace of the PVC each was made for (`<p>/source-namespace`): a DELETE looks there for a
// completed archive. Its scope is the Longhorn namespace and the label prefix.
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import type { CacheOptions } from './pvc-cache.ts';
import type { ScopedCache } from './replaceable-cache.ts';

export type JobScope = Pick<GuardConfig, 'longhornNamespace' | 'labelPrefix'>;

/** The text ReplaceableCache compares: a change of either part means another list. */
export function jobScopeKey(scope: JobScope): string {
  return `${scope.longhornNamespace} ${scope.labelPrefix}`;
}

export class RecurringJobCache implements ScopedCache {
  readonly #informer: Informer<RecurringJob>;
  readonly #bySourceNamespace = new MultiIndex<RecurringJob>();
  readonly #sourceNamespaceKey: string;

  constructor(scope: JobScope, options: CacheOptions) {
    const keys = backupLabelKeys(scope.labelPrefix);
    this.#sourceNamespaceKey = keys.sourceNamespace;
    this.#informer = new Informer<RecurringJob>({
      resource: LONGHORN_PLURALS.recurringJob,
      kubeConfig: options.kubeConfig,
      path: resourcePath({
        group: LONGHORN_GROUP,
        version: LONGHORN_VERSION,
        plural: LONGHORN_PLURALS.recurringJob,
        namespace: scope.longhornNamespace,
      }),
      labelSelector: `${keys.managed}=true`,
      log: options.log,
      metrics: options.metrics,
      resyncPeriodMs: options.resyncPeriodMs,
      handler: {
        onAdd: (job) => this.#put(job),
        onUpdate: (old, job) => {
          this.#remove(old);
          this.#put(job);
        },
        onDelete: (job) => this.#remove(job),
      },
    });
  }

  start(): void {
    this.#informer.start();
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }

  hasSynced(): boolean {
    return this.#informer.hasSynced();
  }

  whenSynced(): Promise<boolean> {
    return this.#informer.whenSynced();
  }

  /** The jobs made for PVCs of `namespace`. */
  ofSourceNamespace(namespace: string): RecurringJob[] {
    return this.#bySourceNamespace.get(namespace);
  }

  #put(job: RecurringJob): void {
    const namespace = job.metadata.labels?.[this.#sourceNamespaceKey];
    if (namespace !== undefined) this.#bySourceNamespace.set(namespace, job.metadata.name ?? '', job);
  }

  #remove(job: RecurringJob): void {
    const namespace = job.metadata.labels?.[this.#sourceNamespaceKey];
    if (namespace !== undefined) this.#bySourceNamespace.delete(namespace, job.metadata.name ?? '');
  }
}
