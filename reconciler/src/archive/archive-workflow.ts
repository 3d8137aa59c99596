// The archive workflow's decision for one PVC key: pure, it reads only the context. The state is
// the record on the job (archive-record.ts) plus what Longhorn shows of the current attempt's
// Snapshot and Backup (archive-objects.ts). Phases, by the record:
//   no record (or another PVC's, or withdrawn) -> start: record volume, PVC and attempt; Snapshot
//   running     -> Snapshot, wait readyToUse, full Backup, wait Completed -> record the result
//                  (any failure or timeout -> record it)
//   failed      -> wait for the backoff, then the next attempt (new names; a ready Snapshot of the
//                  failed attempt is reused, so a failing Backup adds no Snapshot), at most
//                  archiveMaxAttempts per request (then it waits to be asked again)
//   completed   -> report ready
// A vanished volume stops everything but a completed archive; expiry is reported beside any phase.

import { archiveKeys } from '@longhorn-backup-guard/shared/archive/archive-keys';
import {
  readArchiveRecord,
  type ArchiveRecord,
  type ArchiveResult,
} from '@longhorn-backup-guard/shared/archive/archive-record';
import { isArchiveExpired } from '@longhorn-backup-guard/shared/intent/archive-expiry';
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { LONGHORN_PLURALS } from '@longhorn-backup-guard/shared/longhorn/api';
import type { Backup, RecurringJob, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { isJobOfPvc } from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import type { Action, EventSpec } from '../model/actions.ts';
import { pvcObject } from '../model/involved-objects.ts';
import { jobTarget } from '../model/object-targets.ts';
import { formatRfc3339 } from '../model/rfc3339.ts';
import { DEFAULT_RETRY_BACKOFF, retryDelay, type RetryBackoff } from './archive-backoff.ts';
import { ARCHIVE_EVENT_REASONS as REASONS, archiveEvent } from './archive-events.ts';
import { archiveLinkLabels } from './archive-link-labels.ts';
import { archiveObjectName } from './archive-names.ts';
import { attemptProgress, backupBody, isReadySnapshot, snapshotBody, type ArchiveLinks } from './archive-objects.ts';
import { completionPatch, failurePatch, retryPatch, startPatch, withdrawalPatch } from './archive-record-patches.ts';
import { archiveRequestOf } from './archive-request.ts';
import { ARCHIVE_WATCHES, watchedObjects } from './archive-watches.ts';
import type { ArchiveContext, ArchiveOutcome, ArchiveWorkflow } from '../model/archive-contract.ts';

export interface ArchiveWorkflowOptions {
  readonly retryBackoff?: RetryBackoff;
}

/** Longer waits are cut to this (timers cannot hold 25 days; the periodic resync comes sooner anyway). */
const MAX_REQUEUE_MS = 24 * 3_600_000;

const NOTHING: ArchiveOutcome = { actions: [], report: {} };

/** One pass of an active archive: what to do and what it shows. */
interface Step {
  readonly actions: readonly Action[];
  readonly ready?: boolean;
  readonly failing?: boolean;
  readonly exhausted?: boolean;
  readonly requeueAfter?: number;
}

/** Everything a phase needs, read once. */
interface Run {
  readonly ctx: ArchiveContext;
  readonly job: RecurringJob;
  readonly jobName: string;
  readonly deleteAfter: string;
  readonly backoff: RetryBackoff;
}

/** Where an attempt is: the record's fields that name its objects. */
interface Attempt {
  readonly volume: string;
  readonly pvcUid: string;
  readonly attempt: number;
}

/** The attempt's own object name, and the Snapshot it backs up (its own or a reused one). */
interface AttemptNames {
  readonly backup: string;
  readonly snapshot: string;
}

export function createArchiveWorkflow(options: ArchiveWorkflowOptions = {}): ArchiveWorkflow {
  const backoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
  return { watches: ARCHIVE_WATCHES, reconcile: (ctx) => decideArchive(ctx, backoff) };
}

/** The workflow with the default retry backoff (1 min, doubling, at most a day). */
export const archiveWorkflow: ArchiveWorkflow = createArchiveWorkflow();

export function decideArchive(ctx: ArchiveContext, backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF): ArchiveOutcome {
  const request = archiveRequestOf(ctx);
  switch (request.kind) {
    case 'pending':
      return NOTHING;
    case 'none':
      return withdraw(ctx);
    case 'blocked': {
      const event: EventSpec = {
        involvedObject: pvcObject(request.pvc),
        type: 'Warning',
        reason: REASONS.notStarted,
        message: request.why,
      };
      return {
        actions: [{ type: 'event', event }],
        report: request.violation === undefined ? {} : { violations: [request.violation] },
      };
    }
    case 'active':
      return runArchive({
        ctx,
        job: request.job,
        jobName: request.job.metadata.name ?? '',
        deleteAfter: request.deleteAfter,
        backoff,
      });
  }
}

/** Whether the record is of the PVC this key stands for (a later PVC of the same name has another uid). */
function isOfThisPvc(ctx: ArchiveContext, record: ArchiveRecord): boolean {
  return ctx.pvc === undefined ? record.pvc === ctx.key.pvcName : record.pvcUid === (ctx.pvc.metadata?.uid ?? '');
}

function runArchive(run: Run): ArchiveOutcome {
  const { ctx } = run;
  const record = readArchiveRecord(run.job, ctx.config.labelPrefix);
  // A deleted PVC whose name was cut in the job's labels has two keys; the full name's reports.
  if (ctx.pvc === undefined && record !== null && record.pvc !== ctx.key.pvcName) return NOTHING;
  const current = record !== null && !record.withdrawn && isOfThisPvc(ctx, record) ? record : null;
  const step = current === null ? start(run, record) : resume(run, current);
  const expired = isArchiveExpired({ deleteAfter: run.deleteAfter }, ctx.now);
  const actions = expired
    ? [...step.actions, eventAction(run, 'Normal', REASONS.expired, expiredMessage(run))]
    : step.actions;
  const list = (yes: boolean | undefined) => (yes === true ? [run.jobName] : []);
  return {
    actions,
    report: {
      archiveReady: list(step.ready),
      archiveFailed: list(step.failing),
      archiveExpired: list(expired),
      archiveExhausted: list(step.exhausted),
    },
    ...(step.requeueAfter === undefined
      ? {}
      : { requeueAfter: Math.min(MAX_REQUEUE_MS, Math.max(1, step.requeueAfter)) }),
  };
}

// ---- phases ----

function resume(run: Run, record: ArchiveRecord): Step {
  if (record.result !== undefined) return completed(run, record.result);
  if (record.failedAt !== undefined) return awaitingRetry(run, record, record.failedAt);
  return inFlight(run, record);
}

function start(run: Run, previous: ArchiveRecord | null): Step {
  const { ctx } = run;
  const { pvc, volume } = ctx;
  if (pvc === undefined) {
    if (previous?.withdrawn === true) return { actions: [] };
    const message = `PVC ${describePvc(ctx)} was deleted before its archive could start: no archive was made and none can be now. Its earlier recurring backups are in the backup target; delete this job (kubectl delete recurringjobs.longhorn.io -n ${ctx.config.longhornNamespace} ${run.jobName}) once it is no longer needed`;
    return { actions: [eventAction(run, 'Warning', REASONS.failed, message)], failing: true };
  }
  const pvName = pvc.spec?.volumeName ?? '';
  if (pvName === '') return waiting(run, 'the PVC is not bound yet');
  if (volume === undefined)
    return waiting(run, `Longhorn volume ${pvName} does not exist yet in namespace ${ctx.config.longhornNamespace}`);
  const pvcUid = pvc.metadata?.uid ?? '';
  const attempt: Attempt = {
    volume: volume.metadata.name ?? pvName,
    pvcUid,
    attempt: previous !== null && previous.pvcUid === pvcUid ? previous.attempt + 1 : 1,
  };
  const patch = startPatch(ctx.config.labelPrefix, { ...attempt, pvc: ctx.key.pvcName }, ctx.now);
  return {
    actions: [{ type: 'patch', target: jobTarget(ctx.config, run.jobName), patch }, createSnapshot(run, attempt, '')],
    requeueAfter: ctx.config.snapshotReadyTimeout,
  };
}

function inFlight(run: Run, record: ArchiveRecord): Step {
  const { ctx } = run;
  const names = namesOf(run, record);
  const snapshots = watchedObjects<Snapshot>(ctx.watched, LONGHORN_PLURALS.snapshot);
  const backups = watchedObjects<Backup>(ctx.watched, LONGHORN_PLURALS.backup);
  const progress = attemptProgress(names, record.attemptStartedAt, snapshots, backups, ctx.config, ctx.now);
  if (progress.kind === 'completed') return completion(run, progress.result);
  if (!volumeExists(ctx, record.volume))
    return volumeGone(run, record, progress.kind === 'failed' ? progress.error : record.lastError);
  if (progress.kind === 'failed') return failure(run, record, progress.error);
  const failing = record.lastError !== undefined;
  switch (progress.kind) {
    case 'snapshot-missing':
      // A reused Snapshot is never recreated under its old name: it is gone, so this attempt failed.
      if (names.snapshot !== names.backup)
        return failure(
          run,
          record,
          `Snapshot ${names.snapshot}, reused from an earlier attempt, is gone (not deleted by longhorn-backup-guard)`,
        );
      return { actions: [createSnapshot(run, record, '')], failing, requeueAfter: progress.remainingMs };
    case 'backup-missing':
      return { actions: [createBackup(run, record, names.snapshot, '')], failing, requeueAfter: progress.remainingMs };
    case 'snapshot-pending':
    case 'backup-pending':
      return { actions: [], failing, requeueAfter: progress.remainingMs };
  }
}

function completion(run: Run, result: ArchiveResult): Step {
  const patch = completionPatch(run.ctx.config.labelPrefix, result);
  const event = archiveEvent(run.ctx, run.job, 'Normal', REASONS.ready, readyMessage(run, result));
  return { actions: [{ type: 'patch', target: jobTarget(run.ctx.config, run.jobName), patch, event }], ready: true };
}

function completed(run: Run, result: ArchiveResult): Step {
  return { actions: [eventAction(run, 'Normal', REASONS.ready, readyMessage(run, result))], ready: true };
}

/** Attempts used by this request (attempt numbers go on across requests, so names never repeat). */
function attemptsUsed(record: ArchiveRecord): number {
  return record.attempt - record.firstAttempt + 1;
}

function isExhausted(run: Run, record: ArchiveRecord): boolean {
  return attemptsUsed(record) >= run.ctx.config.archiveMaxAttempts;
}

function failure(run: Run, record: ArchiveRecord, error: string): Step {
  const { ctx } = run;
  const failedAt = new Date(Math.floor(ctx.now.getTime() / 1000) * 1000); // as the annotation keeps it
  const patch = failurePatch(ctx.config.labelPrefix, failedAt, error);
  if (isExhausted(run, record)) {
    const event = archiveEvent(
      ctx,
      run.job,
      'Warning',
      REASONS.attemptsExhausted,
      exhaustedMessage(run, record, error),
    );
    return {
      actions: [{ type: 'patch', target: jobTarget(ctx.config, run.jobName), patch, event }],
      failing: true,
      exhausted: true,
    };
  }
  const retryAt = failedAt.getTime() + retryDelay(record.attempt, run.backoff);
  const event = archiveEvent(ctx, run.job, 'Warning', REASONS.failed, failedMessage(record.attempt, error, retryAt));
  return {
    actions: [{ type: 'patch', target: jobTarget(ctx.config, run.jobName), patch, event }],
    failing: true,
    requeueAfter: retryAt - ctx.now.getTime(),
  };
}

function awaitingRetry(run: Run, record: ArchiveRecord, failedAt: Date): Step {
  const { ctx } = run;
  if (!volumeExists(ctx, record.volume)) return volumeGone(run, record, record.lastError);
  if (isExhausted(run, record)) {
    return {
      actions: [
        eventAction(
          run,
          'Warning',
          REASONS.attemptsExhausted,
          exhaustedMessage(run, record, record.lastError ?? 'no reason recorded'),
        ),
      ],
      failing: true,
      exhausted: true,
    };
  }
  const retryAt = failedAt.getTime() + retryDelay(record.attempt, run.backoff);
  if (ctx.now.getTime() < retryAt) {
    const message = failedMessage(record.attempt, record.lastError ?? '', retryAt);
    return {
      actions: [eventAction(run, 'Warning', REASONS.failed, message)],
      failing: true,
      requeueAfter: retryAt - ctx.now.getTime(),
    };
  }
  const next: Attempt = { ...record, attempt: record.attempt + 1 };
  const why = ` (a retry: attempt ${record.attempt} failed: ${record.lastError ?? 'no reason recorded'})`;
  const target = jobTarget(ctx.config, run.jobName);
  // A ready Snapshot of the failed attempt is backed up again rather than adding another Snapshot.
  const previous = namesOf(run, record).snapshot;
  if (
    isReadySnapshot(
      watchedObjects<Snapshot>(ctx.watched, LONGHORN_PLURALS.snapshot).find((s) => s.metadata.name === previous),
    )
  ) {
    const patch = retryPatch(ctx.config.labelPrefix, next.attempt, ctx.now, previous);
    return {
      actions: [{ type: 'patch', target, patch }, createBackup(run, next, previous, why)],
      failing: true,
      requeueAfter: ctx.config.snapshotReadyTimeout + ctx.config.backupCompletionTimeout,
    };
  }
  const patch = retryPatch(ctx.config.labelPrefix, next.attempt, ctx.now);
  return {
    actions: [{ type: 'patch', target, patch }, createSnapshot(run, next, why)],
    failing: true,
    requeueAfter: ctx.config.snapshotReadyTimeout,
  };
}

function volumeGone(run: Run, record: ArchiveRecord, lastError: string | undefined): Step {
  const last = lastError === undefined ? '' : ` The last failure: ${lastError}.`;
  const message = `Longhorn volume ${record.volume} is gone before the archive completed (attempt ${record.attempt}): no archive was made and none is tried again.${last} Delete this job once it is no longer needed`;
  return { actions: [eventAction(run, 'Warning', REASONS.volumeGone, message)], failing: true };
}

function waiting(run: Run, why: string): Step {
  return { actions: [eventAction(run, 'Normal', REASONS.waiting, `the archive waits: ${why}; it starts then`)] };
}

/** The request is gone while this PVC's record is live: stop, keep everything, say so. */
function withdraw(ctx: ArchiveContext): ArchiveOutcome {
  const { job, config } = ctx;
  if (job === undefined || !isJobOfPvc(job, ctx.key.namespace, ctx.key.pvcName, config)) return NOTHING;
  const record = readArchiveRecord(job, config.labelPrefix);
  if (record === null || record.withdrawn || !isOfThisPvc(ctx, record)) return NOTHING;
  const jobName = job.metadata.name ?? '';
  const label = backupLabelKeys(config.labelPrefix).archive;
  const kept =
    record.result === undefined
      ? keptObjects(ctx, objectName({ jobName }, record))
      : `the completed archive Backup ${record.result.backup} is kept`;
  const message = `the archive request was withdrawn (${label} is no longer true on the PVC): the workflow stopped at attempt ${record.attempt}; nothing was deleted (${kept}). Setting ${label}=true again starts a new archive`;
  const event = archiveEvent(ctx, job, 'Normal', REASONS.withdrawn, message);
  return {
    actions: [
      { type: 'patch', target: jobTarget(config, jobName), patch: withdrawalPatch(config.labelPrefix, ctx.now), event },
    ],
    report: {},
  };
}

// ---- objects ----

function objectName(run: Pick<Run, 'jobName'>, attempt: Pick<Attempt, 'pvcUid' | 'attempt'>): string {
  return archiveObjectName(run.jobName, attempt.pvcUid, attempt.attempt);
}

function namesOf(run: Run, record: ArchiveRecord): AttemptNames {
  const own = objectName(run, record);
  return { backup: own, snapshot: record.snapshot ?? own };
}

function links(run: Run): ArchiveLinks {
  const { config, key } = run.ctx;
  return {
    labels: archiveLinkLabels(config, run.jobName, key.namespace, key.pvcName),
    annotations: { [archiveKeys(config.labelPrefix).pvc]: key.pvcName },
  };
}

function createSnapshot(run: Run, attempt: Attempt, why: string): Action {
  const { config } = run.ctx;
  const name = objectName(run, attempt);
  const message = `archive attempt ${attempt.attempt}${why}: created Snapshot ${name} of Longhorn volume ${attempt.volume}; a full Backup of it follows once it is ready`;
  return {
    type: 'create',
    target: { resource: LONGHORN_PLURALS.snapshot, namespace: config.longhornNamespace, name },
    body: snapshotBody(config, name, attempt.volume, links(run)),
    event: archiveEvent(run.ctx, run.job, 'Normal', REASONS.snapshotCreated, message),
  };
}

function createBackup(run: Run, attempt: Attempt, snapshot: string, why: string): Action {
  const { config } = run.ctx;
  const name = objectName(run, attempt);
  const reused =
    snapshot === name ? '' : ` (reused from an earlier attempt, so no new Snapshot is added to the volume)`;
  const message = `archive attempt ${attempt.attempt}${why}: Snapshot ${snapshot} is ready${reused}; created full Backup ${name} of it`;
  return {
    type: 'create',
    target: { resource: LONGHORN_PLURALS.backup, namespace: config.longhornNamespace, name },
    body: backupBody(config, name, snapshot, attempt.volume, links(run)),
    event: archiveEvent(run.ctx, run.job, 'Normal', REASONS.backupCreated, message),
  };
}

function volumeExists(ctx: ArchiveContext, name: string): boolean {
  return ctx.volumeNamed(name) !== undefined;
}

function keptObjects(ctx: ArchiveContext, name: string): string {
  const found = [
    ...watchedObjects<Snapshot>(ctx.watched, LONGHORN_PLURALS.snapshot)
      .filter((o) => o.metadata.name === name)
      .map(() => `Snapshot ${name}`),
    ...watchedObjects<Backup>(ctx.watched, LONGHORN_PLURALS.backup)
      .filter((o) => o.metadata.name === name)
      .map(() => `Backup ${name}`),
  ];
  if (found.length === 0) return 'no Snapshot or Backup had been made yet';
  return `${found.join(' and ')} ${found.length === 1 ? 'is' : 'are'} kept`;
}

// ---- messages ----

function eventAction(run: Run, type: EventSpec['type'], reason: string, message: string): Action {
  return { type: 'event', event: archiveEvent(run.ctx, run.job, type, reason, message) };
}

function describePvc(ctx: ArchiveContext): string {
  return `${ctx.key.namespace}/${ctx.key.pvcName}`;
}

function readyMessage(run: Run, result: ArchiveResult): string {
  const url = result.url === '' ? '' : ` (${result.url})`;
  const subject =
    run.ctx.pvc === undefined
      ? `PVC ${describePvc(run.ctx)} is already deleted`
      : `PVC ${describePvc(run.ctx)} is safe to delete`;
  return `archive complete: full Backup ${result.backup}${url} completed at ${result.completedAt}. ${subject}; RecurringJob ${run.jobName} and the Backup are kept (nothing is deleted automatically; cleanup after ${run.deleteAfter} is a person's decision)`;
}

function exhaustedMessage(run: Run, record: ArchiveRecord, error: string): string {
  const label = backupLabelKeys(run.ctx.config.labelPrefix).archive;
  return `archive attempt ${record.attempt} failed: ${error}. That was attempt ${attemptsUsed(record)} of ${run.ctx.config.archiveMaxAttempts} (archiveMaxAttempts): no further attempt is made until the archive is asked again (remove ${label} from the PVC, then set ${label}=true again). Nothing was deleted: the attempts' Snapshots and Backups are kept`;
}

function failedMessage(attempt: number, error: string, retryAt: number): string {
  return `archive attempt ${attempt} failed: ${error}. Attempt ${attempt + 1} starts at ${formatRfc3339(new Date(retryAt))} (retries back off exponentially). Nothing was deleted: the failed attempt's Snapshot and Backup are kept`;
}

function expiredMessage(run: Run): string {
  const { config } = run.ctx;
  const keys = backupLabelKeys(config.labelPrefix);
  const ns = config.longhornNamespace;
  return `the archive of PVC ${describePvc(run.ctx)} is past its ${keys.archiveDeleteAfter} date ${run.deleteAfter}: it may now be cleaned up. Nothing is deleted automatically. To clean up: kubectl delete backups.longhorn.io -n ${ns} -l ${archiveKeys(config.labelPrefix).archiveJob}=${run.jobName} (this deletes those backups from the backup target), then kubectl delete recurringjobs.longhorn.io -n ${ns} ${run.jobName}`;
}
