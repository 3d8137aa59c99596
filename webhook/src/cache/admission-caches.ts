// The webhook's view of the cluster: PVCs (duplicate names), StorageClasses (Longhorn-backed or
// not), Namespaces (the policy label) and the managed RecurringJobs (completed archives), each
// kept by the shared resilient informer. The PVC and job caches follow configuration changes.
import { namespacesKey, type CacheScope } from '@longhorn-backup-guard/shared/config/cache-scope';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { StorageClassLike } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import type { StatefulSetLike } from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';
import type { NamespacePvcs } from '../decide/namespace-pvcs.ts';
import { PvcCache, type CacheOptions } from './pvc-cache.ts';
import { RecurringJobCache, jobScopeKey } from './recurring-job-cache.ts';
import { StatefulSetCache } from './stateful-set-cache.ts';
import { ReplaceableCache } from './replaceable-cache.ts';

export type CachedStorageClass = StorageClassLike & KubeObject;
export interface CachedNamespace extends KubeObject {
  metadata?: KubeObject['metadata'] & { labels?: Record<string, string> };
}

export class ClusterCaches {
  readonly #options: CacheOptions;
  readonly #storageClasses: Informer<CachedStorageClass>;
  readonly #namespaces: Informer<CachedNamespace>;
  readonly #pvcs: ReplaceableCache<PvcCache>;
  readonly #jobs: ReplaceableCache<RecurringJobCache>;
  readonly #statefulSets: StatefulSetCache;

  constructor(scope: CacheScope, options: CacheOptions) {
    this.#options = options;
    const common = {
      kubeConfig: options.kubeConfig,
      log: options.log,
      metrics: options.metrics,
      resyncPeriodMs: options.resyncPeriodMs,
    };
    this.#storageClasses = new Informer({
      ...common,
      resource: 'storageclasses',
      path: resourcePath({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' }),
    });
    this.#namespaces = new Informer({
      ...common,
      resource: 'namespaces',
      path: resourcePath({ version: 'v1', plural: 'namespaces' }),
    });
    this.#pvcs = new ReplaceableCache(
      namespacesKey(scope.watchNamespaces),
      new PvcCache(scope.watchNamespaces, options),
    );
    this.#jobs = new ReplaceableCache(jobScopeKey(scope), new RecurringJobCache(scope, options));
    this.#statefulSets = new StatefulSetCache(options);
  }

  start(): void {
    this.#storageClasses.start();
    this.#namespaces.start();
    this.#pvcs.start();
    this.#jobs.start();
    this.#statefulSets.start();
  }

  /** Why not synced yet, or null once every cache is. Asked on every review: one empty array once synced. */
  notSyncedReason(): string | null {
    const waiting: string[] = [];
    if (!this.#storageClasses.hasSynced()) waiting.push('storageclasses');
    if (!this.#namespaces.hasSynced()) waiting.push('namespaces');
    if (!this.#pvcs.current.hasSynced()) waiting.push('persistentvolumeclaims');
    if (!this.#jobs.current.hasSynced()) waiting.push('recurringjobs');
    return waiting.length === 0 ? null : `caches not synced: ${waiting.join(', ')}`;
  }

  storageClasses(): CachedStorageClass[] {
    return this.#storageClasses.list();
  }

  /** The namespace's labels, or undefined when the cache does not hold the namespace. */
  namespaceLabels(name: string): Record<string, string> | undefined {
    const namespace = this.#namespaces.get(name);
    return namespace === undefined ? undefined : (namespace.metadata?.labels ?? {});
  }

  namespacePvcs(namespace: string): NamespacePvcs {
    return this.#pvcs.current.inNamespace(namespace);
  }

  /** The managed RecurringJobs made for PVCs of `namespace`. */
  namespaceJobs(namespace: string): RecurringJob[] {
    return this.#jobs.current.ofSourceNamespace(namespace);
  }

  namespaceStatefulSets(namespace: string): StatefulSetLike[] {
    return this.#statefulSets.inNamespace(namespace);
  }

  /**
   * Follows a configuration change: watchNamespaces for the PVC cache, longhornNamespace and
   * labelPrefix for the job cache. A replacement takes over once synced (the old one serves meanwhile).
   */
  async follow(scope: CacheScope): Promise<void> {
    await Promise.all([
      this.#pvcs.follow(namespacesKey(scope.watchNamespaces), () => new PvcCache(scope.watchNamespaces, this.#options)),
      this.#jobs.follow(jobScopeKey(scope), () => new RecurringJobCache(scope, this.#options)),
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.#storageClasses.stop(),
      this.#namespaces.stop(),
      this.#pvcs.stop(),
      this.#jobs.stop(),
      this.#statefulSets.stop(),
    ]);
  }
}
