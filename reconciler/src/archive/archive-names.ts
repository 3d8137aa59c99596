// Deterministic names for an archive attempt's Snapshot and Backup (the Backup of Snapshot X is
// also named X). Derived from the job, the PVC's uid and the attempt number, so a restarted
// reconciler finds what it made instead of making a second one, a later PVC with the same name
// gets new objects, and every retry gets new ones.

import { DNS_LABEL_MAX_LENGTH } from '@longhorn-backup-guard/shared/names/kubernetes-names';
import { shortHash } from '@longhorn-backup-guard/shared/text/short-hash';

/**
 * `<job>-archive-<hash of job and PVC uid>-<attempt>`, a DNS label of at most 63 characters: valid
 * for any Kubernetes object, Longhorn's name pattern `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$` and a label
 * value (Longhorn copies snapshot names into labels). Job names have at most 40 characters, so
 * the job part is only shortened past attempt 99999.
 */
export function archiveObjectName(jobName: string, pvcUid: string, attempt: number): string {
  if (!Number.isSafeInteger(attempt) || attempt < 1)
    throw new Error(`archive attempt must be a positive integer, got ${attempt}`);
  const suffix = `-archive-${shortHash(`${jobName}\n${pvcUid}`)}-${attempt}`;
  const base = jobName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, DNS_LABEL_MAX_LENGTH - suffix.length)
    .replace(/^-+|-+$/g, '');
  return `${base === '' ? 'pvc' : base}${suffix}`;
}
