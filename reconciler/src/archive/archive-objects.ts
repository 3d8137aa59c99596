// An attempt's Snapshot and Backup: the bodies to create, and how far the attempt has come as
// read from them (their statuses are Longhorn's; timeouts count from their creationTimestamp).

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { formatDuration } from '@longhorn-backup-guard/shared/cron/go-duration';
import { LONGHORN_API_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { formatRfc3339 } from '../model/rfc3339.ts';
import type { ArchiveResult } from '@longhorn-backup-guard/shared/archive/archive-record';

/** Longhorn's label naming a Backup's volume (its mutator derives it when absent; we set it). */
export const BACKUP_VOLUME_LABEL = 'backup-volume';

/** What links an attempt's objects to the job and PVC: metadata and spec labels, and annotations. */
export interface ArchiveLinks {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export function snapshotBody(config: GuardConfig, name: string, volume: string, links: ArchiveLinks): Snapshot {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Snapshot',
    metadata: {
      name,
      namespace: config.longhornNamespace,
      labels: { ...links.labels },
      annotations: { ...links.annotations },
    },
    spec: { volume, createSnapshot: true, labels: { ...links.labels } },
  };
}

export function backupBody(
  config: GuardConfig,
  name: string,
  snapshotName: string,
  volume: string,
  links: ArchiveLinks,
): Backup {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Backup',
    metadata: {
      name,
      namespace: config.longhornNamespace,
      labels: { ...links.labels, [BACKUP_VOLUME_LABEL]: volume },
      annotations: { ...links.annotations },
    },
    spec: { snapshotName, backupMode: 'full', labels: { ...links.labels } },
  };
}

export type AttemptProgress =
  | { readonly kind: 'snapshot-missing'; readonly remainingMs: number }
  | { readonly kind: 'snapshot-pending'; readonly remainingMs: number }
  | { readonly kind: 'backup-missing'; readonly remainingMs: number }
  | { readonly kind: 'backup-pending'; readonly remainingMs: number }
  | { readonly kind: 'completed'; readonly result: ArchiveResult }
  | { readonly kind: 'failed'; readonly error: string };

const BACKUP_FAILED_STATES: readonly string[] = ['Error', 'Unknown'];

function ageMs(created: string | undefined, now: Date): number {
  const ms = created === undefined ? NaN : Date.parse(created);
  return Number.isNaN(ms) ? 0 : Math.max(0, now.getTime() - ms);
}

function backupError(backup: Backup): string {
  const status = backup.status ?? {};
  const texts = [status.error, ...Object.values(status.messages ?? {})].filter(
    (text) => text !== undefined && text !== '',
  );
  return texts.length === 0 ? 'Longhorn gave no error text' : texts.join('; ');
}

/** Whether a Snapshot can be backed up now: ready, no error, not being deleted. */
export function isReadySnapshot(snapshot: Snapshot | undefined): boolean {
  return (
    snapshot !== undefined &&
    snapshot.status?.readyToUse === true &&
    (snapshot.status.error ?? '') === '' &&
    snapshot.metadata.deletionTimestamp === undefined
  );
}

/**
 * How far an attempt has come: its Snapshot `snapshotName` (its own, or a ready one of an earlier
 * attempt it reuses) and its Backup `name`.
 */
export function attemptProgress(
  names: { snapshot: string; backup: string },
  startedAt: Date | undefined,
  snapshots: readonly Snapshot[],
  backups: readonly Backup[],
  config: GuardConfig,
  now: Date,
): AttemptProgress {
  const name = names.snapshot;
  const snapshot = snapshots.find((object) => object.metadata.name === name);
  if (snapshot === undefined) {
    // A create Longhorn refuses (the volume's snapshot limit reached) leaves no Snapshot to time out.
    const remainingMs = config.snapshotReadyTimeout - ageMs(startedAt?.toISOString(), now);
    if (remainingMs > 0) return { kind: 'snapshot-missing', remainingMs };
    return {
      kind: 'failed',
      error: `Snapshot ${name} could not be made within ${formatDuration(config.snapshotReadyTimeout)} of the attempt's start (snapshotReadyTimeout); Longhorn may refuse it, e.g. at the volume's snapshot limit. The reconciler's log has Longhorn's answer`,
    };
  }
  const snapshotError = snapshot.status?.error;
  if (snapshotError !== undefined && snapshotError !== '')
    return { kind: 'failed', error: `Snapshot ${name} failed: ${snapshotError}` };
  if (snapshot.status?.readyToUse !== true) {
    const remainingMs = config.snapshotReadyTimeout - ageMs(snapshot.metadata.creationTimestamp, now);
    if (remainingMs > 0) return { kind: 'snapshot-pending', remainingMs };
    return {
      kind: 'failed',
      error: `Snapshot ${name} was not ready within ${formatDuration(config.snapshotReadyTimeout)} (snapshotReadyTimeout)`,
    };
  }

  const backup = backups.find((object) => object.metadata.name === names.backup);
  if (backup === undefined) {
    // A create Longhorn refuses (its backup target unavailable) leaves no Backup to time out;
    // a reused Snapshot is older than the attempt, so the later of the two starts the clock.
    const limit = config.snapshotReadyTimeout + config.backupCompletionTimeout;
    const snapshotAge = ageMs(snapshot.metadata.creationTimestamp, now);
    const reused = names.snapshot !== names.backup;
    const remainingMs =
      limit -
      (reused && startedAt !== undefined ? Math.min(snapshotAge, ageMs(startedAt.toISOString(), now)) : snapshotAge);
    if (remainingMs > 0) return { kind: 'backup-missing', remainingMs };
    return {
      kind: 'failed',
      error: `Backup ${names.backup} could not be made within ${formatDuration(limit)} of its Snapshot (snapshotReadyTimeout + backupCompletionTimeout); is the volume's backup target available? The reconciler's log has Longhorn's answer`,
    };
  }
  const state = backup.status?.state ?? '';
  if (state === 'Completed') {
    const createdAt = backup.status?.backupCreatedAt;
    const completedAt = createdAt === undefined || createdAt === '' ? formatRfc3339(now) : createdAt;
    return { kind: 'completed', result: { backup: names.backup, url: backup.status?.url ?? '', completedAt } };
  }
  if (BACKUP_FAILED_STATES.includes(state))
    return { kind: 'failed', error: `Backup ${names.backup} ended in state ${state}: ${backupError(backup)}` };
  if (state === 'Deleting' || backup.metadata.deletionTimestamp !== undefined)
    return { kind: 'failed', error: `Backup ${names.backup} is being deleted (not by longhorn-backup-guard)` };
  const remainingMs = config.backupCompletionTimeout - ageMs(backup.metadata.creationTimestamp, now);
  if (remainingMs > 0) return { kind: 'backup-pending', remainingMs };
  return {
    kind: 'failed',
    error: `Backup ${names.backup} did not complete within ${formatDuration(config.backupCompletionTimeout)} (backupCompletionTimeout); its state is ${state === '' ? 'not set' : state}`,
  };
}
