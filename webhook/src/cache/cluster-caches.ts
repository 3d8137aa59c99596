// The webhook's view of the cluster: PVCs (duplicate names), StorageClasses (Longhorn-backed or
// not) and Namespaces (the policy label), each kept by the shared resilient informer.
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { StorageClassLike } from '../admission/pvc-object.ts';
import { PvcCache, type CacheOptions, type CachedPvc } from './pvc-cache.ts';

export type CachedStorageClass = StorageClassLike & KubeObject;
export interface CachedNamespace extends KubeObject {
  metadata?: KubeObject['metadata'] & { labels?: Record<string, string> };
}

export class ClusterCaches {
  readonly #options: CacheOptions;
  readonly #storageClasses: Informer<CachedStorageClass>;
  readonly #namespaces: Informer<CachedNamespace>;
  #pvcs: PvcCache;
  /** A replacement PVC cache syncing after a watchNamespaces change; the old one serves meanwhile. */
  #pendingPvcs: PvcCache | undefined;

  constructor(watchNamespaces: readonly string[], options: CacheOptions) {
    this.#options = options;
    const common = { kubeConfig: options.kubeConfig, log: options.log, metrics: options.metrics, resyncPeriodMs: options.resyncPeriodMs };
    this.#storageClasses = new Informer({ ...common, resource: 'storageclasses', path: resourcePath({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' }) });
    this.#namespaces = new Informer({ ...common, resource: 'namespaces', path: resourcePath({ version: 'v1', plural: 'namespaces' }) });
    this.#pvcs = new PvcCache(watchNamespaces, options);
  }

  start(): void {
    this.#storageClasses.start();
    this.#namespaces.start();
    this.#pvcs.start();
  }

  /** Why not synced yet, or null once every cache is. */
  notSyncedReason(): string | null {
    const waiting = [
      ...(this.#storageClasses.hasSynced() ? [] : ['storageclasses']),
      ...(this.#namespaces.hasSynced() ? [] : ['namespaces']),
      ...(this.#pvcs.hasSynced() ? [] : ['persistentvolumeclaims']),
    ];
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

  namespacePvcs(namespace: string): CachedPvc[] {
    return this.#pvcs.inNamespace(namespace);
  }

  /**
   * Follows a configuration change of watchNamespaces: a new PVC cache is started and takes over
   * once synced; until then the old one keeps serving, so the webhook never stops being ready.
   */
  async watchNamespaces(namespaces: readonly string[]): Promise<void> {
    const wanted = [...namespaces].sort().join(',');
    const target = this.#pendingPvcs ?? this.#pvcs;
    if ([...target.watchNamespaces].sort().join(',') === wanted) return;
    const superseded = this.#pendingPvcs;
    const next = new PvcCache(namespaces, this.#options);
    this.#pendingPvcs = next;
    await superseded?.stop();
    next.start();
    if (!(await next.whenSynced()) || this.#pendingPvcs !== next) return;
    const previous = this.#pvcs;
    this.#pvcs = next;
    this.#pendingPvcs = undefined;
    await previous.stop();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#storageClasses.stop(), this.#namespaces.stop(), this.#pvcs.stop(), this.#pendingPvcs?.stop()]);
  }
}
