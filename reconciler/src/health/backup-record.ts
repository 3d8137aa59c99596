// The lean form of a Longhorn Backup the health cache keeps: only the fields backup health and
// the audit read. A cluster with 5,000 PVCs and retain 8 holds 40,000+ Backups (Longhorn syncs
// every backup of the target into a CR), so the full objects (managed fields, spec, messages,
// progress...) are dropped as they arrive, and the strings every Backup repeats are shared.

import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import type { Backup, BackupState } from '@longhorn-backup-guard/shared/longhorn/types';
import { BACKUP_VOLUME_LABEL } from '../archive/archive-objects.ts';

/** Longhorn puts `RecurringJob: <job>` on every backup a recurring job makes (spec/status labels). */
export const RECURRING_JOB_BACKUP_LABEL = 'RecurringJob';

/** Longhorn's error texts can be long; a summary never needs more. */
const ERROR_MAX = 1024;

export interface BackupRecord {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  /** The RecurringJob that made it (its `RecurringJob` label), if any. */
  readonly job?: string;
  /** The job this product's archive Backup belongs to (`<p>/archive-job`), if any. */
  readonly archiveJob?: string;
  readonly volume?: string;
  readonly state: BackupState;
  /** Epoch ms: Longhorn's backupCreatedAt once set, else when the CR was created. */
  readonly at?: number;
  readonly url?: string;
  readonly error?: string;
}

/** Strings the pool holds at most; past that it starts over (names of long-gone volumes go). */
const POOL_MAX = 100_000;

/** One copy of each repeated string (job, volume, namespace, state), however many Backups carry it. */
export class StringPool {
  readonly #strings = new Map<string, string>();

  intern<T extends string | undefined>(text: T): T {
    if (text === undefined) return text;
    const known = this.#strings.get(text);
    if (known !== undefined) return known as T;
    if (this.#strings.size >= POOL_MAX) this.#strings.clear();
    this.#strings.set(text, text);
    return text;
  }
}

function epochMs(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function errorText(backup: Backup): string | undefined {
  const status = backup.status ?? {};
  const texts = [status.error, ...Object.values(status.messages ?? {})].filter(
    (text): text is string => typeof text === 'string' && text !== '',
  );
  if (texts.length === 0) return undefined;
  const joined = texts.join('; ');
  return joined.length > ERROR_MAX ? `${joined.slice(0, ERROR_MAX - 1)}…` : joined;
}

/** Backup -> BackupRecord (the informer's transform); `labelPrefix` names the archive-job label. */
export function backupRecordOf(backup: Backup, labelPrefix: string, pool: StringPool): BackupRecord {
  const metadata = backup.metadata;
  const labels = metadata.labels ?? {};
  const status = backup.status ?? {};
  const job = backup.spec?.labels?.[RECURRING_JOB_BACKUP_LABEL] ?? status.labels?.[RECURRING_JOB_BACKUP_LABEL];
  const state = status.state ?? '';
  const at =
    state === 'Completed'
      ? (epochMs(status.backupCreatedAt) ?? epochMs(metadata.creationTimestamp))
      : epochMs(metadata.creationTimestamp);
  const record: { -readonly [K in keyof BackupRecord]: BackupRecord[K] } = {
    metadata: {
      name: metadata.name ?? '',
      namespace: pool.intern(metadata.namespace ?? ''),
      resourceVersion: metadata.resourceVersion,
    },
    state: pool.intern(state),
  };
  // Only present fields are set: an absent property costs nothing.
  if (job !== undefined) record.job = pool.intern(job);
  const archiveJob = labels[archiveKeys(labelPrefix).archiveJob];
  if (archiveJob !== undefined) record.archiveJob = pool.intern(archiveJob);
  const volume = labels[BACKUP_VOLUME_LABEL] ?? status.volumeName;
  if (volume !== undefined && volume !== '') record.volume = pool.intern(volume);
  if (at !== undefined) record.at = at;
  if (status.url !== undefined && status.url !== '') record.url = status.url;
  const error = errorText(backup);
  if (error !== undefined) record.error = error;
  return record;
}

/** The job a Backup counts for in the index: the recurring job that made it, or the archive's job. */
export function indexJobOf(record: BackupRecord): string | undefined {
  return record.job ?? record.archiveJob;
}

/** Whether two records differ in anything health reads (progress and other noise are not kept). */
export function sameRecord(a: BackupRecord, b: BackupRecord): boolean {
  return (
    a.job === b.job &&
    a.archiveJob === b.archiveJob &&
    a.volume === b.volume &&
    a.state === b.state &&
    a.at === b.at &&
    a.url === b.url &&
    a.error === b.error
  );
}
