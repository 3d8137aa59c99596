import type { GuardConfig } from './guard-config.ts';

/**
 * The `<p>/enabled` value the webhook fills in on PVC create: the namespace's policy label when it
 * says `true` or `false`, else the cluster default; null means leave the label unset.
 */
export function enabledDefault(
  config: GuardConfig,
  namespaceLabels: Readonly<Record<string, string>> | undefined | null,
): boolean | null {
  const policy = namespaceLabels?.[config.namespacePolicyLabel];
  if (policy === 'true' || policy === 'false') return policy === 'true';
  return config.clusterDefaultEnabled;
}
