// The contract of the archive workflow (issue #6). The reconciler calls `archiveWorkflow.reconcile`
// on every pass over a key, after its own decision, executes the returned actions after its own
// and merges the returned report into the key's report (the backup_archive_* gauges).
//
// The workflow itself is archive/archive-workflow.ts (the decision, pure); README-level behaviour:
// Snapshot (createSnapshot) -> readyToUse -> full Backup -> Completed -> result recorded on the
// job, failures retried with backoff under new names, state in annotations on the job.
//
// Rules the reconciler already keeps, which the workflow can rely on:
// - Jobs with archive labels (`<p>/archive=true` on the RecurringJob) are never deleted by the
//   reconciler: not on opt-out, not on rename, not when their PVC is gone (they are reported as
//   retained, not orphaned).
// - The desired job of an opted-in PVC carries the PVC's archive labels from the first write
//   (shared desiredRecurringJob), so a PVC deleted mid-workflow never orphans its job.
// - `watches` declares the extra Longhorn objects the workflow reads (e.g. snapshots, backups):
//   the reconciler starts one informer per entry in the Longhorn namespace, enqueues the keys
//   `keysOf` returns whenever one changes, and hands this key's objects to `reconcile` in
//   `ctx.watched`. Volumes are not a watch: `ctx.volumeNamed` reads the reconciler's own Volume
//   cache, whose changes already enqueue the PVC Longhorn records for a Volume (kept after the PVC
//   is deleted).

import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { IntentResult } from '@longhorn-backup-guard/shared/intent/backup-intent';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import type { Action, LonghornPlural } from './actions.ts';
import type { KeyReport } from './key-report.ts';
import type { PvcKey } from '../keys/pvc-key.ts';
import type { ReconcileSnapshot } from './reconcile-snapshot.ts';

/**
 * What the workflow reads: the reconcile snapshot's view of the key (the PVC or undefined once it
 * is deleted, its managed jobs including a deleted PVC's retained ones, its Volume, any Volume by
 * name, the watched objects, the configuration and the time), plus the PVC's labels and its job.
 */
export interface ArchiveContext extends Pick<
  ReconcileSnapshot,
  'key' | 'pvc' | 'managedJobs' | 'volume' | 'volumeNamed' | 'watched' | 'config' | 'now'
> {
  /** The PVC's parsed labels (`intent.archive` / `archive` is the request), or undefined when it is gone. */
  readonly intent: IntentResult | undefined;
  /** The job the archive belongs to: the PVC's desired job name, or its kept job once the PVC is gone. */
  readonly jobName: string | undefined;
  /** That job as cached (undefined while it is still being created in this pass). */
  readonly job: RecurringJob | undefined;
}

export interface ArchiveOutcome {
  /** Executed in order after the reconciler's own actions, each through the write rate limiter. */
  readonly actions: readonly Action[];
  /** Merged into the key's report; archiveReady / archiveExpired / archiveFailed are the workflow's. */
  readonly report: Partial<KeyReport>;
  /** Come back after this many milliseconds (e.g. to time out a Snapshot that never gets ready). */
  readonly requeueAfter?: number;
}

export interface ArchiveWatch {
  /** A Longhorn plural in the Longhorn namespace, e.g. 'snapshots'. */
  readonly plural: LonghornPlural;
  /** The PVC keys an object belongs to (enqueued when it changes, and passed to their reconcile). */
  readonly keysOf: (object: unknown, config: GuardConfig) => readonly PvcKey[];
  /**
   * Optional: a label selector for the informer, from the label prefix (e.g. only this product's
   * archive Backups, not the thousands Longhorn syncs from the backup target). keysOf filters
   * anyway, so a cache that ignores it stays correct, only bigger.
   */
  readonly labelSelector?: (labelPrefix: string) => string;
}

export interface ArchiveWorkflow {
  readonly watches: readonly ArchiveWatch[];
  /** Pure: reads only `ctx`, returns what to do. */
  reconcile(ctx: ArchiveContext): ArchiveOutcome;
}
