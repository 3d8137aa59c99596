// The PVCs the webhook compares a PVC with, by namespace: one informer over all namespaces, or
// one per namespace of `watchNamespaces`. The informers (shared, resilient) hold the objects; this
// keeps them indexed by namespace and by backup name (cached-pvcs.ts), fed by their handlers.
// Only what the decisions read is kept (leanPvc); the decisions memoize each cached PVC's parsed
// name claim (see admission-violations.ts).
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { InformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { PvcLike } from '../admission/pvc-object.ts';
import type { NamespacePvcs } from '../decide/namespace-pvcs.ts';
import { CachedPvcs } from './cached-pvcs.ts';
import type { ScopedCache } from './replaceable-cache.ts';
import type { KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';

export type CachedPvc = PvcLike & KubeObject;

export interface CacheOptions {
  readonly kubeConfig: KubeSource;
  readonly log: Logger;
  readonly metrics?: InformerMetrics | undefined;
  readonly resyncPeriodMs?: number | undefined;
}

/** What the duplicate-name check reads of another PVC: name, labels, class, whether it is being deleted. */
export function leanPvc(pvc: CachedPvc): CachedPvc {
  const { name, namespace, uid, resourceVersion, labels, deletionTimestamp } = pvc.metadata ?? {};
  return {
    metadata: { name, namespace, uid, resourceVersion, labels, deletionTimestamp },
    spec: { storageClassName: pvc.spec?.storageClassName },
  };
}

export class PvcCache implements ScopedCache {
  /** The namespaces watched; empty means all. */
  readonly watchNamespaces: readonly string[];
  readonly #informers: Informer<CachedPvc>[];
  readonly #pvcs = new CachedPvcs<CachedPvc>();

  constructor(watchNamespaces: readonly string[], options: CacheOptions) {
    this.watchNamespaces = watchNamespaces;
    const namespaces = watchNamespaces.length === 0 ? [undefined] : watchNamespaces;
    this.#informers = namespaces.map(
      (namespace) =>
        new Informer<CachedPvc>({
          resource: 'persistentvolumeclaims',
          kubeConfig: options.kubeConfig,
          path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace }),
          log: options.log,
          metrics: options.metrics,
          resyncPeriodMs: options.resyncPeriodMs,
          transform: (object) => leanPvc(object as CachedPvc),
          handler: {
            onAdd: (pvc) => this.#pvcs.put(pvc),
            onUpdate: (_old, pvc) => this.#pvcs.put(pvc),
            onDelete: (pvc) => this.#pvcs.remove(pvc),
          },
        }),
    );
  }

  start(): void {
    for (const informer of this.#informers) informer.start();
  }

  hasSynced(): boolean {
    return this.#informers.every((informer) => informer.hasSynced());
  }

  /** True once every informer synced; false if stopped first. */
  async whenSynced(): Promise<boolean> {
    const synced = await Promise.all(this.#informers.map((informer) => informer.whenSynced()));
    return synced.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.stop()));
  }

  inNamespace(namespace: string): NamespacePvcs {
    return this.#pvcs.inNamespace(namespace);
  }
}
