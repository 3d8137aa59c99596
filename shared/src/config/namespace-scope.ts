import type { GuardConfig } from './guard-config.ts';

/** Whether webhook and reconciler act in this namespace: watched (or all watched) and not excluded. */
export function isNamespaceInScope(config: GuardConfig, namespace: string): boolean {
  if (config.excludedNamespaces.includes(namespace)) return false;
  return config.watchNamespaces.length === 0 || config.watchNamespaces.includes(namespace);
}
