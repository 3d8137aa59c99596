// When a job's backups are overdue: a run may be skipped or fail once without alarm, so a job is
// stale only when the two scheduled runs after its reference time (its last completed backup, its
// creation, or the moment it could run again) both passed, plus a slack for the run to finish.

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
  const parsed = parseStandardCron(cron);
  if (!parsed.ok) return undefined;
  const first = nextFireTime(parsed.schedule, since);
  const second = first === null ? null : nextFireTime(parsed.schedule, first);
  if (first === null || second === null) return undefined;
  return { runs: [first, second], deadline: new Date(second.getTime() + slackMs) };
}
