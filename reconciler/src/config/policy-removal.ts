// Removing a policy that PVCs use is a configuration error that changes nothing: the reconciler
// refuses such a ConfigMap update (the last good configuration, with the policy, stays in force).

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';

/** One message per policy of `previous` that `next` drops while PVCs still ask for it. */
export function removedPoliciesInUse(
  next: GuardConfig,
  previous: GuardConfig,
  users: ReadonlyMap<string, readonly string[]>,
): string[] {
  const kept = new Set(next.policies.map((policy) => policy.name));
  return previous.policies.flatMap((policy) => {
    const using = [...(users.get(policy.name) ?? [])].sort();
    if (kept.has(policy.name) || using.length === 0) return [];
    const shown = `${using.slice(0, 5).join(', ')}${using.length > 5 ? ', …' : ''}`;
    return [
      `policies.${policy.name} is removed but ${using.length} PVC${using.length === 1 ? '' : 's'} use it (${shown}): move them to another policy (or remove their ${next.labelPrefix}/policy label) first`,
    ];
  });
}
