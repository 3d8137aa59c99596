// The StatefulSets by namespace, so a duplicate name that a StatefulSet's volumeClaimTemplate
// caused is refused with advice a StatefulSet can follow. Only the names and the templates' labels
// are indexed. Not part of readiness: without it the refusal is the same, only its advice generic.
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import type { StatefulSetLike } from '@longhorn-backup-guard/shared/statefulset/stateful-set-replica';
import type { CacheOptions } from './pvc-cache.ts';

type CachedStatefulSet = StatefulSetLike & KubeObject;

function templatesOnly(statefulSet: CachedStatefulSet): StatefulSetLike {
  const templates = statefulSet.spec?.volumeClaimTemplates ?? [];
  return {
    metadata: { name: statefulSet.metadata?.name ?? '' },
    spec: {
      volumeClaimTemplates: templates.map((template) => ({
        metadata: { name: template.metadata?.name ?? '', labels: template.metadata?.labels ?? {} },
      })),
    },
  };
}

export class StatefulSetCache {
  readonly #informer: Informer<CachedStatefulSet>;
  readonly #byNamespace = new MultiIndex<StatefulSetLike>();

  constructor(options: CacheOptions) {
    this.#informer = new Informer<CachedStatefulSet>({
      resource: 'statefulsets',
      kubeConfig: options.kubeConfig,
      path: resourcePath({ group: 'apps', version: 'v1', plural: 'statefulsets' }),
      log: options.log,
      metrics: options.metrics,
      resyncPeriodMs: options.resyncPeriodMs,
      handler: {
        onAdd: (statefulSet) => this.#put(statefulSet),
        onUpdate: (_old, statefulSet) => this.#put(statefulSet),
        onDelete: (statefulSet) =>
          this.#byNamespace.delete(statefulSet.metadata?.namespace ?? '', statefulSet.metadata?.name ?? ''),
      },
    });
  }

  start(): void {
    this.#informer.start();
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  inNamespace(namespace: string): StatefulSetLike[] {
    return this.#byNamespace.get(namespace);
  }

  #put(statefulSet: CachedStatefulSet): void {
    this.#byNamespace.set(
      statefulSet.metadata?.namespace ?? '',
      statefulSet.metadata?.name ?? '',
      templatesOnly(statefulSet),
    );
  }
}
