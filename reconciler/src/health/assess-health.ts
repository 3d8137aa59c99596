// The backup health of one managed PVC, from its job, the Backups of that job, its Volume, the
// state last recorded on the job and the clock. Pure. In order of precedence:
//   unknown   the PVC is not bound to an existing Longhorn volume yet (nothing can run);
//   detached  the volume is detached: Longhorn skips recurring jobs then (by default), by design;
//   failing   the last `failingAfter` finished runs all ended in Error or Unknown;
//   stale     no backup completed within the stale window (two scheduled runs plus slack) after
//             the reference time;
//   healthy   otherwise.
// The reference time is the latest of: the last completed backup, the job's creation (a new PVC),
// the moment the volume could run again (first seen attached after `detached` or `unknown`), and
// the start of a recorded `healthy` (so the window restarts from there, and a re-attached volume
// gets its two runs before it is called stale).

import type { BackupHealthState, BackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import { formatRfc3339 } from '../model/rfc3339.ts';
import type { BackupRecord } from './backup-record.ts';
import { staleWindow } from './stale-deadline.ts';

export interface HealthInputs {
  readonly jobName: string;
  /** The job's spec.cron and spec.retain as stored. */
  readonly cron: string;
  readonly retain: number;
  /** The job's metadata.creationTimestamp. */
  readonly jobCreatedAt: Date | undefined;
  /** The Backups whose RecurringJob label names this job, in any order. */
  readonly backups: readonly BackupRecord[];
  /** The Longhorn volume's name and status.state, or undefined when the PVC has no volume yet. */
  readonly volume: { readonly name: string; readonly state: string | undefined } | undefined;
  /** What the job's annotation says (the last transition), if anything. */
  readonly recorded: BackupHealthSummary | undefined;
  readonly now: Date;
  readonly slackMs: number;
  readonly failingAfter: number;
}

export interface BackupRef {
  readonly name: string;
  /** Epoch ms. */
  readonly at: number;
  readonly url?: string;
  readonly error?: string;
}

export interface BackupHealth {
  readonly state: BackupHealthState;
  /** Why, in words a person can act on. Stable for a given state and Backups (no clock in it). */
  readonly reason: string;
  readonly lastSuccess: BackupRef | undefined;
  readonly lastFailure: BackupRef | undefined;
  /** A Backup of the job is not finished yet (Pending, InProgress, or no state yet). */
  readonly inProgress: boolean;
  readonly completedCount: number;
  readonly retain: number;
  /** When the job turns stale unless a backup completes (healthy only): reconcile again then. */
  readonly staleAt: Date | undefined;
}

const FAILED: readonly string[] = ['Error', 'Unknown'];
const FINISHED: readonly string[] = ['Completed', ...FAILED];
const RUNNING: readonly string[] = ['', 'Pending', 'InProgress'];

function rfc3339(ms: number): string {
  return formatRfc3339(new Date(ms));
}

function newestFirst(a: BackupRecord, b: BackupRecord): number {
  return (
    (b.at ?? 0) - (a.at ?? 0) || (a.metadata.name < b.metadata.name ? 1 : a.metadata.name > b.metadata.name ? -1 : 0)
  );
}

function refOf(record: BackupRecord | undefined): BackupRef | undefined {
  if (record === undefined) return undefined;
  return {
    name: record.metadata.name,
    at: record.at ?? 0,
    ...(record.url === undefined ? {} : { url: record.url }),
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}

/** When the recorded state says the window restarts (see the header), or undefined. */
function resumedAt(recorded: BackupHealthSummary | undefined, now: Date): number | undefined {
  if (recorded === undefined) return undefined;
  if (recorded.state === 'detached' || recorded.state === 'unknown') return now.getTime();
  if (recorded.state !== 'healthy') return undefined;
  const since = Date.parse(recorded.since);
  return Number.isNaN(since) || since > now.getTime() ? undefined : since;
}

export function assessHealth(inputs: HealthInputs): BackupHealth {
  const { backups, volume, now } = inputs;
  const sorted = backups.filter((backup) => backup.state !== 'Deleting').sort(newestFirst);
  const completed = sorted.filter((backup) => backup.state === 'Completed');
  const failed = sorted.filter((backup) => FAILED.includes(backup.state));
  const base = {
    lastSuccess: refOf(completed[0]),
    lastFailure: refOf(failed[0]),
    inProgress: sorted.some((backup) => RUNNING.includes(backup.state)),
    completedCount: completed.length,
    retain: inputs.retain,
  };
  const health = (state: BackupHealthState, reason: string, staleAt?: Date): BackupHealth => ({
    ...base,
    state,
    reason,
    staleAt,
  });

  if (volume === undefined)
    return health('unknown', 'the PVC is not bound to a Longhorn volume yet: nothing can be backed up');
  if (volume.state === 'detached') {
    return health(
      'detached',
      `not running: Longhorn volume ${volume.name} is detached, and Longhorn skips recurring jobs on detached volumes (setting allow-recurring-job-while-volume-detached)`,
    );
  }

  const finished = sorted.filter((backup) => FINISHED.includes(backup.state)).slice(0, inputs.failingAfter);
  if (finished.length === inputs.failingAfter && finished.every((backup) => FAILED.includes(backup.state))) {
    const newest = finished[0];
    const runs = inputs.failingAfter === 1 ? 'the last backup' : `the last ${inputs.failingAfter} backups`;
    const error = newest?.error ?? `state ${newest?.state ?? 'Error'} without an error text`;
    return health(
      'failing',
      `${runs} of RecurringJob ${inputs.jobName} failed; the newest, ${newest?.metadata.name ?? ''}: ${error}`,
    );
  }

  const references = [base.lastSuccess?.at, inputs.jobCreatedAt?.getTime(), resumedAt(inputs.recorded, now)].filter(
    (ms): ms is number => ms !== undefined && !Number.isNaN(ms),
  );
  const reference = references.length === 0 ? now.getTime() : Math.max(...references);
  const window = staleWindow(inputs.cron, new Date(reference), inputs.slackMs);
  const last =
    base.lastSuccess === undefined
      ? 'no backup of this job has completed yet'
      : `the last completed backup is ${base.lastSuccess.name} of ${rfc3339(base.lastSuccess.at)}`;
  if (window === undefined)
    return health('healthy', `${last}; the schedule ${JSON.stringify(inputs.cron)} sets no deadline`);
  if (now.getTime() < window.deadline.getTime())
    return health('healthy', `${last}; the next is expected by ${rfc3339(window.deadline.getTime())}`, window.deadline);
  const since =
    base.lastSuccess === undefined
      ? `since ${rfc3339(reference)}`
      : `since ${base.lastSuccess.name} of ${rfc3339(base.lastSuccess.at)}`;
  const running = base.inProgress ? '; a backup is in progress' : '';
  return health(
    'stale',
    `no completed backup ${since}: the runs scheduled at ${rfc3339(window.runs[0].getTime())} and ${rfc3339(window.runs[1].getTime())} produced none${running}`,
  );
}
