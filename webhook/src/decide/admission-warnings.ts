// Soft problems: the PVC is admitted and kubectl prints each of these as `Warning: …`.

import { isArchiveExpired } from '@longhorn-backup-guard/shared/intent/archive-expiry';
import { parseCalendarDate } from '@longhorn-backup-guard/shared/intent/calendar-date';
import { isBackupLabelKey, backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import {
  firstUnknownBackupLabelKeys,
  unknownBackupLabel,
} from '@longhorn-backup-guard/shared/intent/unknown-backup-labels';
import type { StorageBacking } from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { labelsOf, type PvcLike } from '../admission/pvc-object.ts';
import type { AdmissionContext } from './admission-context.ts';

/** Longhorn's label that makes a PVC's recurring-job labels the truth for its volume (Longhorn >= 1.5). */
export const RECURRING_JOB_SOURCE_LABEL = 'recurring-job.longhorn.io/source';

export function hasBackupLabels(pvc: PvcLike, prefix: string): boolean {
  return Object.keys(labelsOf(pvc)).some((key) => isBackupLabelKey(key, prefix));
}

function notLonghornWarning(
  pvcName: string,
  backing: Extract<StorageBacking, { kind: 'other' }>,
  provisioner: string,
): string {
  return `PVC "${pvcName}" is not Longhorn-backed (StorageClass "${backing.storageClass}" has provisioner "${backing.provisioner}", not ${provisioner}): its backup labels are ignored and no backup is made`;
}

function expiredArchiveWarning(labels: Readonly<Record<string, string>>, prefix: string, now: Date): string[] {
  const keys = backupLabelKeys(prefix);
  const date = labels[keys.archiveDeleteAfter];
  if (labels[keys.archive] !== 'true' || date === undefined || !parseCalendarDate(date).ok) return [];
  if (!isArchiveExpired({ deleteAfter: date }, now)) return [];
  return [
    `${keys.archiveDeleteAfter}=${date} is already past: the archive backup is reported expired as soon as it completes (nothing is deleted automatically)`,
  ];
}

function sourceLabelWarning(namespace: string, labels: Readonly<Record<string, string>>, prefix: string): string[] {
  const source = labels[RECURRING_JOB_SOURCE_LABEL];
  const keys = backupLabelKeys(prefix);
  if (source === undefined || labels[keys.enabled] !== 'true') return [];
  if (source !== 'enabled')
    return [
      `${RECURRING_JOB_SOURCE_LABEL}=${JSON.stringify(source)} has no effect: Longhorn acts on the value enabled only`,
    ];
  const name = labels[keys.name];
  const jobLabel = `recurring-job.longhorn.io/${name === undefined ? '<job>' : jobNameFor(namespace, name)}=enabled`;
  return [
    `${RECURRING_JOB_SOURCE_LABEL}=enabled makes Longhorn keep the volume's recurring-job labels equal to this PVC's: the reconciler therefore puts ${jobLabel} on the PVC too; removing it by hand takes the backup job off the volume`,
  ];
}

/** Unknown keys named one by one (each with a "did you mean"); the rest are counted in one line. */
export const MAX_UNKNOWN_LABEL_WARNINGS = 10;

/** One warning per unknown backup label key, for the first few only: any number of keys costs the same. */
function unknownLabelWarnings(labels: Readonly<Record<string, string>>, prefix: string): string[] {
  const { keys, total } = firstUnknownBackupLabelKeys(labels, prefix, MAX_UNKNOWN_LABEL_WARNINGS);
  const named = keys.map((key) => unknownBackupLabel(key, prefix).message);
  const more = total - named.length;
  return more > 0
    ? [...named, `and ${more} more labels under ${prefix}/ that are no backup labels are ignored`]
    : named;
}

/** The warnings for a CREATE or an UPDATE that changed backup labels. */
export function softWarnings(
  namespace: string,
  pvcName: string,
  pvc: PvcLike,
  backing: StorageBacking,
  context: AdmissionContext,
): string[] {
  const prefix = context.config.labelPrefix;
  if (backing.kind === 'other')
    return hasBackupLabels(pvc, prefix) ? [notLonghornWarning(pvcName, backing, context.config.provisioner)] : [];
  const labels = labelsOf(pvc);
  return [
    ...unknownLabelWarnings(labels, prefix),
    ...expiredArchiveWarning(labels, prefix, context.now),
    ...sourceLabelWarning(namespace, labels, prefix),
  ];
}
