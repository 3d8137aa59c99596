// Volume association: `recurring-job.longhorn.io/<job>: enabled` on the Volume (and on a PVC that
// is Longhorn's source of truth for its volume). Only job labels of this product's jobs are ever
// added or removed; group labels (Longhorn's implicit `default` among them) are never touched.

import { LONGHORN_LABEL_ENABLED, recurringJobLabelKey } from '@longhorn-backup-guard/shared/longhorn/api';

export type LabelPatch = Record<string, string | null>;

/** The merge patch of labels adding `enable` jobs and dropping `drop` jobs, or null when none is needed. */
export function jobLabelPatch(
  labels: Readonly<Record<string, string>> | undefined,
  enable: readonly string[],
  drop: readonly string[],
): LabelPatch | null {
  const current = labels ?? {};
  const patch: LabelPatch = {};
  for (const job of enable) {
    if (current[recurringJobLabelKey(job)] !== LONGHORN_LABEL_ENABLED)
      patch[recurringJobLabelKey(job)] = LONGHORN_LABEL_ENABLED;
  }
  for (const job of drop) {
    if (!enable.includes(job) && current[recurringJobLabelKey(job)] !== undefined)
      patch[recurringJobLabelKey(job)] = null;
  }
  return Object.keys(patch).length === 0 ? null : patch;
}
