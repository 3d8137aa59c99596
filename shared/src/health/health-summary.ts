// The backup health of one managed PVC as the reconciler records it on the PVC's RecurringJob (on
// its Longhorn Volume for a PVC on a policy, which has no job of its own), so that
// `kubectl get recurringjobs -L <p>/health` and the CLI's `status` read it without metrics.
// The label carries the state (it changes only on a transition); the annotation carries the detail
// of that transition as compact JSON (both keys are declared in the label schema). Pure: format
// and parse, no I/O.

import { groupKeys, type GroupKeys } from '../intent/label-schema.ts';

export const backupHealthStates = ['healthy', 'stale', 'failing', 'detached', 'unknown'] as const;
export type BackupHealthState = (typeof backupHealthStates)[number];

export interface BackupHealthSummary {
  readonly state: BackupHealthState;
  /** When the state began (RFC 3339). */
  readonly since: string;
  /** Why, in words a person can act on ("no completed backup since 2026-11-28T04:30:00Z"). */
  readonly reason: string;
  /** The last completed backup when the state began: its name and completion time (RFC 3339). */
  readonly lastSuccessBackup?: string;
  readonly lastSuccessAt?: string;
  /** The last failed backup when the state began, and Longhorn's error text. */
  readonly lastFailureAt?: string;
  readonly lastError?: string;
}

/** `state`: the label on the job; `summary`: the annotation with the summary as JSON. */
export type BackupHealthKeys = GroupKeys<'health'>;

export function backupHealthKeys(prefix: string): BackupHealthKeys {
  return groupKeys('health', prefix);
}

export function isBackupHealthState(value: unknown): value is BackupHealthState {
  return typeof value === 'string' && (backupHealthStates as readonly string[]).includes(value);
}

export function formatBackupHealthSummary(summary: BackupHealthSummary): string {
  return JSON.stringify(summary);
}

/** The summary recorded in an annotation, or undefined when it is absent or not one. */
export function parseBackupHealthSummary(text: string | undefined): BackupHealthSummary | undefined {
  if (text === undefined || text.length > 4096) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (!isBackupHealthState(record.state) || typeof record.since !== 'string' || typeof record.reason !== 'string') {
    return undefined;
  }
  const optional = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
  return {
    state: record.state,
    since: record.since,
    reason: record.reason,
    ...definedOnly({
      lastSuccessBackup: optional('lastSuccessBackup'),
      lastSuccessAt: optional('lastSuccessAt'),
      lastFailureAt: optional('lastFailureAt'),
      lastError: optional('lastError'),
    }),
  };
}

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
