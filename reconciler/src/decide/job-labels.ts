// Volume association: `recurring-job.longhorn.io/<job>: enabled` on the Volume (and on a PVC that
// is Longhorn's source of truth for its volume), or for a policy PVC the group label
// `recurring-job-group.longhorn.io/policy-<policy>: enabled`. Only labels of this product's jobs
// and of its `policy-*` groups are ever added or removed; other group labels (Longhorn's implicit
// `default` among them) are never touched.

import {
  LONGHORN_LABEL_ENABLED,
  recurringJobGroupLabelKey,
  recurringJobLabelKey,
} from '@longhorn-backup-guard/shared/longhorn/api';
import { POLICY_GROUP_PREFIX } from '@longhorn-backup-guard/shared/policy/backup-policy';

export type LabelPatch = Record<string, string | null>;

const POLICY_GROUP_KEY_PREFIX = recurringJobGroupLabelKey(POLICY_GROUP_PREFIX);

/** The product's policy group labels among `labels` (`recurring-job-group.longhorn.io/policy-*`). */
export function policyGroupKeys(labels: Readonly<Record<string, string>> | undefined): string[] {
  return Object.keys(labels ?? {}).filter((key) => key.startsWith(POLICY_GROUP_KEY_PREFIX));
}

/**
 * The merge patch of labels adding `enable` jobs (and the policy `group`, when given) and dropping
 * `drop` jobs and every other policy group, or null when none is needed.
 */
export function jobLabelPatch(
  labels: Readonly<Record<string, string>> | undefined,
  enable: readonly string[],
  drop: readonly string[],
  group: string | null = null,
): LabelPatch | null {
  // Runs twice per reconcile (volume, PVC): built without intermediate arrays, the patch's keys in
  // the same order as ever (enabled keys, then dropped jobs, then other policy groups).
  const current = labels ?? {};
  const enableKeys = enable.map(recurringJobLabelKey);
  if (group !== null) enableKeys.push(recurringJobGroupLabelKey(group));
  let patch: LabelPatch | null = null;
  for (const key of enableKeys) {
    if (current[key] !== LONGHORN_LABEL_ENABLED) (patch ??= {})[key] = LONGHORN_LABEL_ENABLED;
  }
  const dropKey = (key: string) => {
    if (current[key] !== undefined && !enableKeys.includes(key)) (patch ??= {})[key] = null;
  };
  for (const job of drop) dropKey(recurringJobLabelKey(job));
  for (const key of Object.keys(current)) if (key.startsWith(POLICY_GROUP_KEY_PREFIX)) dropKey(key);
  return patch;
}
