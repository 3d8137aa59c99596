// What a component's informer caches list, from the configuration: a change of the scope means
// new caches (built and synced before they replace the old ones); any other change does not.
import type { GuardConfig } from './guard-config.ts';

export type CacheScope = Pick<GuardConfig, 'watchNamespaces' | 'longhornNamespace' | 'labelPrefix'>;

export function scopeOf(config: GuardConfig): CacheScope {
  return {
    watchNamespaces: config.watchNamespaces,
    longhornNamespace: config.longhornNamespace,
    labelPrefix: config.labelPrefix,
  };
}

/** The watched namespaces as one comparable text (their order does not matter). */
export function namespacesKey(namespaces: readonly string[]): string {
  return [...namespaces].sort().join(',');
}

export function sameScope(a: CacheScope, b: CacheScope): boolean {
  return (
    a.longhornNamespace === b.longhornNamespace &&
    a.labelPrefix === b.labelPrefix &&
    namespacesKey(a.watchNamespaces) === namespacesKey(b.watchNamespaces)
  );
}
