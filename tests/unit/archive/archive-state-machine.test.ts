// Every phase of the record on the job x every observation of the current attempt's objects x
// volume there or gone x PVC there or deleted: 7 x 13 x 2 x 2 decisions, each checked against
// the table below (written out by hand, not computed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { archiveWorkflow } from '@longhorn-backup-guard/reconciler/archive/archive-workflow';
import { archiveObjectName } from '@longhorn-backup-guard/reconciler/archive/archive-names';
import type { ArchiveOutcome } from '@longhorn-backup-guard/reconciler/model/archive-contract';
import {
  JOB,
  LH,
  P,
  T0,
  UID,
  VOLUME,
  archivingWorld,
  contextOf,
  flags,
  reasons,
  type World,
} from './archive-fixtures.ts';

const MIN = 60_000;
const ago = (ms: number) => new Date(T0.getTime() - ms).toISOString();
const record = (attempt: number, extra: Record<string, string> = {}) => ({
  [`${P}/archive-volume`]: VOLUME,
  [`${P}/archive-pvc`]: 'db',
  [`${P}/archive-pvc-uid`]: UID,
  [`${P}/archive-attempt`]: String(attempt),
  ...extra,
});

/** Phases of the record, with the attempt whose objects the observation is about. */
const PHASES: Record<string, { annotations: Record<string, string>; attempt: number }> = {
  none: { annotations: {}, attempt: 1 },
  'running-1': { annotations: record(1), attempt: 1 },
  'running-2': { annotations: record(2, { [`${P}/archive-last-error`]: 'earlier failure' }), attempt: 2 },
  'failed-waiting': {
    annotations: record(1, {
      [`${P}/archive-failed-at`]: ago(10_000).replace('.000', ''),
      [`${P}/archive-last-error`]: 'boom',
    }),
    attempt: 1,
  },
  'failed-due': {
    annotations: record(1, {
      [`${P}/archive-failed-at`]: ago(2 * MIN).replace('.000', ''),
      [`${P}/archive-last-error`]: 'boom',
    }),
    attempt: 1,
  },
  completed: {
    annotations: record(1, {
      [`${P}/archive-backup`]: 'b',
      [`${P}/archive-backup-url`]: 's3://b',
      [`${P}/archive-completed-at`]: ago(MIN),
    }),
    attempt: 1,
  },
  withdrawn: { annotations: record(1, { [`${P}/archive-withdrawn-at`]: ago(MIN) }), attempt: 1 },
};

/** The attempt's objects (age = since their creationTimestamp), and how long ago the attempt started. */
type Objects = {
  snapshot?: Snapshot['status'] & { age?: number };
  backup?: Backup['status'] & { age?: number };
  started?: number;
};
const ready = { readyToUse: true };
/** What Longhorn shows of the attempt's Snapshot and Backup (age = since their creationTimestamp). */
const OBSERVATIONS: Record<string, Objects> = {
  nothing: {},
  'snapshot-never-made': { started: 11 * MIN },
  'snapshot-pending': { snapshot: { age: MIN } },
  'snapshot-error': { snapshot: { age: MIN, error: 'disk full' } },
  'snapshot-timed-out': { snapshot: { age: 11 * MIN } },
  'snapshot-ready': { snapshot: ready },
  'backup-never-made': { snapshot: { ...ready, age: 10 * MIN + 6 * 60 * MIN } },
  'backup-pending': { snapshot: ready, backup: { age: MIN, state: 'InProgress' } },
  'backup-timed-out': { snapshot: ready, backup: { age: 7 * 60 * MIN, state: '' } },
  'backup-error': { snapshot: ready, backup: { state: 'Error', error: 'target unreachable' } },
  'backup-unknown': { snapshot: ready, backup: { state: 'Unknown' } },
  'backup-deleting': { snapshot: ready, backup: { state: 'Deleting' } },
  'backup-completed': { snapshot: ready, backup: { state: 'Completed', url: 's3://done' } },
};

const FAILURES = [
  'snapshot-never-made',
  'snapshot-error',
  'snapshot-timed-out',
  'backup-never-made',
  'backup-timed-out',
  'backup-error',
  'backup-unknown',
  'backup-deleting',
];

/** `writes | event reasons | report`, with the PVC and its volume there. */
function expectedPresent(phase: string, observation: string): string {
  const running = (n: number, failing: string) => {
    if (observation === 'backup-completed') return 'job | ArchiveReady | ready';
    if (FAILURES.includes(observation)) return 'job | ArchiveFailed | failed';
    if (observation === 'nothing') return `snapshot#${n} | ArchiveSnapshotCreated | ${failing}`;
    if (observation === 'snapshot-ready') return `backup#${n} | ArchiveBackupCreated | ${failing}`;
    return ` |  | ${failing}`; // pending: wait
  };
  switch (phase) {
    case 'none':
      return 'job+snapshot#1 | ArchiveSnapshotCreated | ';
    case 'running-1':
      return running(1, '');
    case 'running-2':
      return running(2, 'failed');
    case 'failed-waiting':
      return ' | ArchiveFailed | failed';
    // The failed attempt's Snapshot is ready: the retry backs it up again instead of adding one.
    case 'failed-due':
      return OBSERVATIONS[observation]?.snapshot?.readyToUse === true
        ? 'job+backup#2 | ArchiveBackupCreated | failed'
        : 'job+snapshot#2 | ArchiveSnapshotCreated | failed';
    case 'completed':
      return ' | ArchiveReady | ready';
    case 'withdrawn':
      return 'job+snapshot#2 | ArchiveSnapshotCreated | ';
    default:
      throw new Error(phase);
  }
}

/** The volume gone: nothing is started or retried; only a completion still counts. */
function expectedVolumeGone(phase: string, observation: string, pvcThere: boolean): string {
  if (phase === 'none' || phase === 'withdrawn') return expectedNoRecord(phase, pvcThere, ' | ArchiveWaiting | ');
  if (phase === 'completed') return ' | ArchiveReady | ready';
  if (phase.startsWith('running') && observation === 'backup-completed') return 'job | ArchiveReady | ready';
  return ' | ArchiveVolumeGone | failed';
}

/** Without a live record a deleted PVC cannot start: a failure, or silence after a withdrawal. */
function expectedNoRecord(phase: string, pvcThere: boolean, otherwise: string): string {
  if (pvcThere) return otherwise;
  return phase === 'none' ? ' | ArchiveFailed | failed' : ' |  | ';
}

function expected(phase: string, observation: string, volumeThere: boolean, pvcThere: boolean): string {
  if (!volumeThere) return expectedVolumeGone(phase, observation, pvcThere);
  if (phase === 'none' || phase === 'withdrawn')
    return expectedNoRecord(phase, pvcThere, expectedPresent(phase, observation));
  return expectedPresent(phase, observation);
}

function worldOf(phase: string, observation: string, volumeThere: boolean, pvcThere: boolean): World {
  const base = archivingWorld();
  const { annotations, attempt } = PHASES[phase] ?? PHASES.none!;
  const name = archiveObjectName(JOB, UID, attempt);
  const links = {
    [`${P}/managed`]: 'true',
    [`${P}/source-namespace`]: 'shop',
    [`${P}/source-pvc`]: 'db',
    [`${P}/archive-job`]: JOB,
  };
  const meta = (age = 0) => ({ name, namespace: LH, labels: links, creationTimestamp: ago(age) });
  const { snapshot, backup, started = MIN } = OBSERVATIONS[observation] ?? {};
  const withStart =
    Object.keys(annotations).length === 0
      ? annotations
      : { ...annotations, [`${P}/archive-attempt-started-at`]: ago(started).replace('.000', '') };
  return {
    ...base,
    pvc: pvcThere ? base.pvc : undefined,
    job:
      base.job === undefined ? undefined : { ...base.job, metadata: { ...base.job.metadata, annotations: withStart } },
    volumes: volumeThere ? base.volumes : [],
    snapshots:
      snapshot === undefined ? [] : [{ metadata: meta(snapshot.age), spec: { volume: VOLUME }, status: snapshot }],
    backups: backup === undefined ? [] : [{ metadata: meta(backup.age), spec: { snapshotName: name }, status: backup }],
  };
}

function summary(outcome: ArchiveOutcome): string {
  const written = outcome.actions.flatMap((a) => {
    if (a.type === 'event') return [];
    if (a.type === 'patch') return ['job'];
    return [`${a.target.resource === 'snapshots' ? 'snapshot' : 'backup'}#${a.target.name.split('-').at(-1) ?? ''}`];
  });
  return `${written.join('+')} | ${reasons(outcome.actions).join(',')} | ${flags(outcome)}`;
}

test('the state machine: every phase x observation x volume x PVC', () => {
  let cells = 0;
  for (const phase of Object.keys(PHASES)) {
    for (const observation of Object.keys(OBSERVATIONS)) {
      for (const volumeThere of [true, false]) {
        for (const pvcThere of [true, false]) {
          const world = worldOf(phase, observation, volumeThere, pvcThere);
          const outcome = archiveWorkflow.reconcile(contextOf(world));
          const where = `${phase} x ${observation} x volume ${volumeThere ? 'there' : 'gone'} x PVC ${pvcThere ? 'there' : 'deleted'}`;
          assert.equal(summary(outcome), expected(phase, observation, volumeThere, pvcThere), where);
          for (const action of outcome.actions) {
            const event = action.type === 'event' ? action.event : action.type === 'delete' ? undefined : action.event;
            assert.notEqual(action.type, 'delete', `${where}: never a delete`);
            if (event !== undefined)
              assert.equal(
                event.involvedObject.kind,
                pvcThere ? 'PersistentVolumeClaim' : 'RecurringJob',
                `${where}: Event target`,
              );
          }
          cells++;
        }
      }
    }
  }
  assert.equal(cells, 7 * 13 * 2 * 2);
});

test('the state machine comes back when something is due: a timeout, the end of a backoff', () => {
  const requeue = (phase: string, observation: string) =>
    archiveWorkflow.reconcile(contextOf(worldOf(phase, observation, true, true))).requeueAfter;
  assert.equal(requeue('running-1', 'snapshot-pending'), defaultConfig.snapshotReadyTimeout - MIN);
  assert.equal(requeue('running-1', 'backup-pending'), defaultConfig.backupCompletionTimeout - MIN);
  assert.equal(
    requeue('running-1', 'snapshot-ready'),
    defaultConfig.snapshotReadyTimeout + defaultConfig.backupCompletionTimeout,
    'a Backup Longhorn refuses to create times out too',
  );
  assert.equal(requeue('running-1', 'snapshot-error'), MIN, 'the first backoff');
  assert.equal(requeue('running-2', 'backup-error'), 2 * MIN, 'the second, doubled');
  assert.equal(requeue('failed-waiting', 'nothing'), MIN - 10_000);
  assert.equal(
    requeue('running-1', 'nothing'),
    defaultConfig.snapshotReadyTimeout - MIN,
    'a Snapshot Longhorn refuses to create times out too',
  );
  assert.equal(
    requeue('none', 'nothing'),
    defaultConfig.snapshotReadyTimeout,
    'a new attempt: back when its Snapshot is due',
  );
  assert.equal(requeue('failed-due', 'nothing'), defaultConfig.snapshotReadyTimeout);
  assert.equal(requeue('completed', 'nothing'), undefined, 'nothing is due');
});
