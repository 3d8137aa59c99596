// The webhook's reading of a completed archive against what the reconciler's workflow writes:
// the patches of reconciler/src/archive/archive-record-patches.ts applied in the order the workflow does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completedArchiveOf } from '@longhorn-backup-guard/shared/archive/archive-completion';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import {
  completionPatch,
  failurePatch,
  retryPatch,
  startPatch,
  withdrawalPatch,
  type JobAnnotationPatch,
} from '@longhorn-backup-guard/reconciler/archive/archive-record-patches';
import { annotationsAfter } from '../webhook/review-fixtures.ts';

const P = 'backup.vluwte.nl';
const NOW = new Date('2026-06-01T12:00:00Z');
const RESULT = {
  backup: 'backup-team-data-archive-0a1b2c3d-1',
  url: 's3://backups@us-east-1/?backup=b',
  completedAt: '2026-06-01T12:05:00Z',
};

/** The job after these merge patches of its annotations. */
const jobAfter = (...patches: JobAnnotationPatch[]): RecurringJob => ({
  metadata: { name: 'backup-team-data', annotations: annotationsAfter(...patches) },
});

const start = (pvcUid: string, attempt = 1) =>
  startPatch(P, { volume: 'pvc-vol', pvc: 'data-pvc', pvcUid, attempt }, NOW);

test('completed: the result of the archive of this uid', () => {
  assert.deepEqual(completedArchiveOf(jobAfter(start('uid-1'), completionPatch(P, RESULT)), 'uid-1', P), RESULT);
  const retried = jobAfter(
    start('uid-1'),
    failurePatch(P, NOW, 'snapshot error'),
    retryPatch(P, 2, NOW),
    completionPatch(P, RESULT),
  );
  assert.deepEqual(completedArchiveOf(retried, 'uid-1', P), RESULT);
});

test('not completed: in flight, failed, withdrawn, restarted for a new request, another uid, no record, another prefix', () => {
  assert.equal(completedArchiveOf(jobAfter(start('uid-1')), 'uid-1', P), undefined);
  assert.equal(
    completedArchiveOf(jobAfter(start('uid-1'), failurePatch(P, NOW, 'backup error')), 'uid-1', P),
    undefined,
  );
  assert.equal(
    completedArchiveOf(jobAfter(start('uid-1'), completionPatch(P, RESULT), withdrawalPatch(P, NOW)), 'uid-1', P),
    undefined,
  );
  assert.equal(
    completedArchiveOf(
      jobAfter(start('uid-1'), completionPatch(P, RESULT), withdrawalPatch(P, NOW), start('uid-1', 2)),
      'uid-1',
      P,
    ),
    undefined,
  );
  assert.equal(completedArchiveOf(jobAfter(start('uid-1'), completionPatch(P, RESULT)), 'uid-2', P), undefined);
  assert.equal(completedArchiveOf(jobAfter(start(''), completionPatch(P, RESULT)), '', P), undefined);
  assert.equal(completedArchiveOf(jobAfter(), 'uid-1', P), undefined);
  assert.equal(completedArchiveOf({ metadata: {} }, 'uid-1', P), undefined);
  assert.equal(
    completedArchiveOf(jobAfter(start('uid-1'), completionPatch(P, RESULT)), 'uid-1', 'other.example'),
    undefined,
  );
});
