// The Longhorn objects the workflow watches, and the PVC key each belongs to: its Snapshots and
// Backups by their link labels (the full PVC name from the annotation, as a label value may be
// cut). Volumes it reads from the reconciler's Volume cache (ArchiveContext.volumeNamed).

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { LONGHORN_PLURALS } from '@longhorn-backup-guard/shared/longhorn/api';
import type { ObjectMeta } from '@longhorn-backup-guard/shared/longhorn/types';
import type { PvcKey } from '../keys/pvc-key.ts';
import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import type { ArchiveWatch } from '../model/archive-contract.ts';

function metadataOf(object: unknown): ObjectMeta | undefined {
  if (typeof object !== 'object' || object === null || !('metadata' in object)) return undefined;
  const { metadata } = object;
  return typeof metadata === 'object' && metadata !== null ? metadata : undefined;
}

/** The key of an archive Snapshot or Backup (made by this product for some PVC's job). */
export function archiveObjectKeys(object: unknown, config: GuardConfig): readonly PvcKey[] {
  const metadata = metadataOf(object);
  const labels = metadata?.labels ?? {};
  const keys = backupLabelKeys(config.labelPrefix);
  if (labels[keys.managed] !== 'true' || labels[archiveKeys(config.labelPrefix).archiveJob] === undefined) return [];
  const namespace = labels[keys.sourceNamespace];
  const pvcName = metadata?.annotations?.[archiveKeys(config.labelPrefix).pvc] ?? labels[keys.sourcePvc];
  return namespace && pvcName ? [{ namespace, pvcName }] : [];
}

/** Only the Snapshots and Backups this product made (they carry the archive-job label). */
export function archiveObjectSelector(labelPrefix: string): string {
  return archiveKeys(labelPrefix).archiveJob;
}

export const ARCHIVE_WATCHES: readonly ArchiveWatch[] = Object.freeze([
  { plural: LONGHORN_PLURALS.snapshot, keysOf: archiveObjectKeys, labelSelector: archiveObjectSelector },
  { plural: LONGHORN_PLURALS.backup, keysOf: archiveObjectKeys, labelSelector: archiveObjectSelector },
]);

/** The watched objects of `plural` as Longhorn objects (anything without metadata is skipped). */
export function watchedObjects<T extends { metadata: ObjectMeta }>(
  watched: ReadonlyMap<string, readonly unknown[]>,
  plural: string,
): T[] {
  return (watched.get(plural) ?? []).filter((object): object is T => metadataOf(object) !== undefined);
}
