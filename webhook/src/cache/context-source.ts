// The snapshot a decision gets, from the caches. A namespace the cache does not hold yet (created a
// moment ago, e.g. by the same `kubectl apply` as the PVC) is read from the API, briefly, so its
// policy label is not missed; that answer is kept a few seconds (namespace-answers.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Namespace } from '@kubernetes/client-node';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { describeApiError, isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { kubeClientOf, type KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { ConfigSource } from '@longhorn-backup-guard/shared/config/config-source';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { AdmissionContext } from '../decide/admission-context.ts';
import type { ClusterCaches } from './admission-caches.ts';
import { createNamespaceAnswers } from './namespace-answers.ts';

export interface ContextSourceOptions {
  readonly caches: ClusterCaches;
  readonly config: ConfigSource;
  readonly kubeConfig: KubeSource;
  readonly log: Logger;
  readonly now: () => Date;
  /** How long a namespace read may take before the PVC is judged without its labels (default 2 s). */
  readonly namespaceLookupTimeoutMs?: number | undefined;
}

type Labels = Record<string, string>;

/**
 * A decision's snapshot of the caches. The jobs and StatefulSets are read when a decision asks
 * (within one synchronous decision: one snapshot), not copied on every review: only a DELETE reads
 * the jobs, only a name clash the StatefulSets. A class, not an object literal with getters: V8
 * builds such a literal through a slow runtime path, on every review.
 */
class CachedContext implements AdmissionContext {
  readonly config: GuardConfig;
  readonly namespacePvcs: AdmissionContext['namespacePvcs'];
  readonly storageClasses: AdmissionContext['storageClasses'];
  readonly namespaceLabels: Readonly<Labels> | null;
  readonly now: Date;
  readonly #caches: ClusterCaches;
  readonly #namespace: string;

  constructor(
    caches: ClusterCaches,
    namespace: string,
    config: GuardConfig,
    namespaceLabels: Readonly<Labels> | null,
    now: Date,
  ) {
    this.#caches = caches;
    this.#namespace = namespace;
    this.config = config;
    this.namespaceLabels = namespaceLabels;
    this.now = now;
    this.namespacePvcs = caches.namespacePvcs(namespace);
    this.storageClasses = caches.storageClasses();
  }

  get namespaceJobs(): AdmissionContext['namespaceJobs'] {
    return this.#caches.namespaceJobs(this.#namespace);
  }

  get namespaceStatefulSets(): AdmissionContext['namespaceStatefulSets'] {
    return this.#caches.namespaceStatefulSets(this.#namespace);
  }
}

export function createContextSource(
  options: ContextSourceOptions,
): (namespace: string) => AdmissionContext | Promise<AdmissionContext> {
  const client = kubeClientOf(options.kubeConfig);
  const timeoutMs = options.namespaceLookupTimeoutMs ?? 2_000;

  async function readNamespaceLabels(name: string): Promise<Labels | null> {
    const stop = new AbortController();
    const timeout = sleep(timeoutMs, null, { signal: stop.signal }).catch(() => null);
    const readNamespace = client.request<V1Namespace>({
      method: 'GET',
      path: objectPath({ version: 'v1', plural: 'namespaces' }, name),
    });
    const read = readNamespace.then(
      ({ body: namespace }): Labels | null => namespace.metadata?.labels ?? {},
      (error: unknown) => {
        if (!isNotFound(error))
          options.log.warn(
            { namespace: name, err: describeApiError(error) },
            'namespace read failed; judging without its labels',
          );
        return null;
      },
    );
    try {
      return await Promise.race([read, timeout]);
    } finally {
      stop.abort();
    }
  }

  const namespaceAnswers = createNamespaceAnswers({ read: readNamespaceLabels, now: () => performance.now() });

  const contextWith = (
    namespace: string,
    config: GuardConfig,
    namespaceLabels: Readonly<Labels> | null,
  ): AdmissionContext => new CachedContext(options.caches, namespace, config, namespaceLabels, options.now());

  // Synchronous when the namespace is cached (nearly every review): no promise to wait for.
  return (namespace) => {
    const config = options.config.current();
    const cached = options.caches.namespaceLabels(namespace);
    if (cached !== undefined || !isNamespaceInScope(config, namespace))
      return contextWith(namespace, config, cached ?? null);
    return namespaceAnswers(namespace).then((labels) => contextWith(namespace, config, labels));
  };
}
