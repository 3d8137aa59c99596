// When a job's backups are overdue: a run may be skipped or fail once without alarm, so a job is
// stale only when the two scheduled runs after its reference time (its last completed backup, its
// creation, or the moment it could run again) both passed, plus a slack for the run to finish.

import { BoundedMap } from '@longhorn-backup-guard/shared/collections/bounded-map';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';

export interface StaleWindow {
  /** The two scheduled runs after the reference time. */
  readonly runs: readonly [Date, Date];
  /** The second run plus the slack: stale from this moment on. */
  readonly deadline: Date;
}

/**
 * The window after `since` for `cron`, or undefined when the cron is invalid or fires fewer than twice in five years.
 */
export function staleWindow(cron: string, since: Date, slackMs: number): StaleWindow | undefined {
  const key = `${slackMs} ${since.getTime()} ${cron}`;
  const known = windows.get(key);
  if (known !== undefined) return known.window;
  const window = computeWindow(cron, since, slackMs);
  windows.set(key, { window });
  return window;
}

/**
 * Windows by slack, reference time and cron: a job's reference time stays the same from one
 * reconcile to the next (its last backup, its creation), and the cron search steps minute by
 * minute with a new Date per step (3% of the reconciler's CPU at 5,000 PVCs without this).
 * Frozen, as they are shared between decisions.
 */
const windows = new BoundedMap<string, { readonly window: StaleWindow | undefined }>(4096);

function computeWindow(cron: string, since: Date, slackMs: number): StaleWindow | undefined {
  const parsed = parseStandardCron(cron);
  if (!parsed.ok) return undefined;
  const first = nextFireTime(parsed.schedule, since);
  const second = first === null ? null : nextFireTime(parsed.schedule, first);
  if (first === null || second === null) return undefined;
  return Object.freeze({
    runs: Object.freeze([first, second] as const),
    deadline: new Date(second.getTime() + slackMs),
  });
}
