import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { archiveWorkflow, createArchiveWorkflow } from '@longhorn-backup-guard/reconciler/archive/archive-workflow';
import { archiveObjectName } from '@longhorn-backup-guard/reconciler/archive/archive-names';
import type { Action } from '@longhorn-backup-guard/reconciler/model/actions';
import {
  JOB,
  LH,
  P,
  UID,
  VOLUME,
  apply,
  archiveLabels,
  archivingWorld,
  contextOf,
  flags,
  jobFor,
  later,
  longhorn,
  messages,
  optedIn,
  pvcOf,
  reasons,
  writes,
  type World,
} from './archive-fixtures.ts';

const decide = (world: World) => archiveWorkflow.reconcile(contextOf(world));
const name1 = archiveObjectName(JOB, UID, 1);
const name2 = archiveObjectName(JOB, UID, 2);
const name3 = archiveObjectName(JOB, UID, 3);
const annotation = (world: World, key: string) => world.job?.metadata.annotations?.[`${P}/${key}`];

/** Reconcile and execute once. */
function step(world: World): World {
  return apply(world, decide(world).actions);
}

function createBody<T>(actions: readonly Action[], resource: string): T {
  const create = actions.find((a) => a.type === 'create' && a.target.resource === resource);
  assert.ok(create?.type === 'create', `expected a create of ${resource}`);
  return create.body as T;
}

/** Runs the happy path up to the Backup's completion. */
function archived(): World {
  let world = step(archivingWorld());
  world = step(longhorn(world, 'snapshots', name1, { readyToUse: true }));
  return step(
    longhorn(world, 'backups', name1, {
      state: 'Completed',
      url: 's3://bucket@eu/?backup=x&volume=v',
      backupCreatedAt: '2026-11-23T12:05:00Z',
    }),
  );
}

test('start: the volume, PVC and attempt 1 are recorded on the job, then the Snapshot is created', () => {
  const world = archivingWorld();
  const outcome = decide(world);
  assert.deepEqual(writes(outcome.actions), [`patch recurringjobs/${JOB}`, `create snapshots/${name1}`]);
  assert.deepEqual(reasons(outcome.actions), ['ArchiveSnapshotCreated']);
  const snapshot = createBody<Snapshot>(outcome.actions, 'snapshots');
  const links = {
    [`${P}/managed`]: 'true',
    [`${P}/source-namespace`]: 'shop',
    [`${P}/source-pvc`]: 'db',
    [`${P}/archive-job`]: JOB,
  };
  assert.deepEqual(snapshot, {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Snapshot',
    metadata: { name: name1, namespace: LH, labels: links, annotations: { [`${P}/archive-pvc`]: 'db' } },
    spec: { volume: VOLUME, createSnapshot: true, labels: links },
  });
  const after = apply(world, outcome.actions);
  assert.equal(annotation(after, 'archive-volume'), VOLUME, 'the Volume named by spec.volumeName, never pvc-<uid>');
  assert.equal(annotation(after, 'archive-pvc'), 'db');
  assert.equal(annotation(after, 'archive-pvc-uid'), UID);
  assert.equal(annotation(after, 'archive-attempt'), '1');
  assert.equal(flags(outcome), '');
});

test('happy path: Snapshot ready -> full Backup -> Completed -> result on the job, ready, "safe to delete" on the PVC', () => {
  let world = step(archivingWorld());
  assert.deepEqual(writes(decide(world).actions), [], 'waiting for readyToUse writes nothing');
  assert.equal(
    decide(world).requeueAfter,
    defaultConfig.snapshotReadyTimeout,
    'comes back when the Snapshot would time out',
  );

  world = longhorn(world, 'snapshots', name1, { readyToUse: true });
  const backupStep = decide(world);
  assert.deepEqual(writes(backupStep.actions), [`create backups/${name1}`]);
  assert.deepEqual(reasons(backupStep.actions), ['ArchiveBackupCreated']);
  const backup = createBody<Backup>(backupStep.actions, 'backups');
  assert.equal(backup.spec?.snapshotName, name1);
  assert.equal(backup.spec?.backupMode, 'full');
  assert.equal(backup.metadata.labels?.['backup-volume'], VOLUME);
  assert.equal(backup.metadata.labels?.[`${P}/archive-job`], JOB);
  assert.equal(backup.spec?.labels?.[`${P}/source-pvc`], 'db');
  world = apply(world, backupStep.actions);

  world = longhorn(world, 'backups', name1, { state: 'InProgress', progress: 40 });
  assert.deepEqual(writes(decide(world).actions), []);
  assert.equal(decide(world).requeueAfter, defaultConfig.backupCompletionTimeout);

  world = longhorn(world, 'backups', name1, {
    state: 'Completed',
    url: 's3://bucket@eu/?backup=x&volume=v',
    backupCreatedAt: '2026-11-23T12:05:00Z',
  });
  const done = decide(world);
  assert.deepEqual(writes(done.actions), [`patch recurringjobs/${JOB}`]);
  assert.deepEqual(reasons(done.actions), ['ArchiveReady']);
  assert.equal(flags(done), 'ready');
  assert.deepEqual(done.report.archiveReady, [JOB]);
  const event = done.actions[0]?.type === 'patch' ? done.actions[0].event : undefined;
  assert.equal(event?.involvedObject.kind, 'PersistentVolumeClaim');
  assert.match(event?.message ?? '', /PVC shop\/db is safe to delete/);
  assert.match(event?.message ?? '', /s3:\/\/bucket@eu/);
  world = apply(world, done.actions);
  assert.equal(annotation(world, 'archive-backup'), name1);
  assert.equal(annotation(world, 'archive-backup-url'), 's3://bucket@eu/?backup=x&volume=v');
  assert.equal(annotation(world, 'archive-completed-at'), '2026-11-23T12:05:00Z');

  const steady = decide(later(world, 3_600_000));
  assert.deepEqual(writes(steady.actions), [], 'the steady state writes nothing');
  assert.deepEqual(
    messages(steady.actions),
    messages(done.actions),
    'the same Event again: its deterministic name dedupes it',
  );
  assert.equal(flags(steady), 'ready');
  assert.equal(steady.requeueAfter, undefined);
});

test('completion without backupCreatedAt records the time it was seen', () => {
  let world = step(archivingWorld());
  world = step(longhorn(world, 'snapshots', name1, { readyToUse: true }));
  world = step(later(longhorn(world, 'backups', name1, { state: 'Completed' }), 1500));
  assert.equal(annotation(world, 'archive-completed-at'), '2026-11-23T12:00:01Z');
  assert.equal(annotation(world, 'archive-backup-url'), '');
});

test('a restart at any point resumes from the cluster: never a second Snapshot or Backup', () => {
  // Each state of the happy path, decided again as a freshly started reconciler would (the
  // decision reads only the cluster), and executed twice over (a crash after the writes).
  let world = archivingWorld();
  const statuses: ((w: World) => World)[] = [
    (w) => w,
    (w) => longhorn(w, 'snapshots', name1, { readyToUse: true }),
    (w) => longhorn(w, 'backups', name1, { state: 'InProgress' }),
    (w) => longhorn(w, 'backups', name1, { state: 'Completed', url: 's3://x' }),
  ];
  for (const play of statuses) {
    world = play(world);
    const first = decide(world);
    assert.deepEqual(decide(world), first, 'pure: the same cluster gives the same decision');
    const once = apply(world, first.actions);
    const again = decide(once);
    const existing = [
      ...once.snapshots.map((o) => `create snapshots/${o.metadata.name ?? ''}`),
      ...once.backups.map((o) => `create backups/${o.metadata.name ?? ''}`),
    ];
    assert.deepEqual(
      writes(again.actions).filter((w) => existing.includes(w)),
      [],
      'nothing that exists is created again',
    );
    world = apply(once, again.actions);
  }
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1],
  );
  assert.deepEqual(
    world.backups.map((b) => b.metadata.name),
    [name1],
  );
  assert.equal(flags(decide(world)), 'ready');
});

test("a Snapshot error is recorded with Longhorn's text, reported failed, and retried after the backoff under new names", () => {
  let world = step(archivingWorld());
  world = later(
    longhorn(world, 'snapshots', name1, { error: 'failed to create snapshot: replica unavailable' }),
    5_250,
  );
  const failed = decide(world);
  assert.deepEqual(writes(failed.actions), [`patch recurringjobs/${JOB}`]);
  assert.deepEqual(reasons(failed.actions), ['ArchiveFailed']);
  assert.match(
    messages(failed.actions)[0] ?? '',
    /attempt 1 failed: Snapshot .* failed: failed to create snapshot: replica unavailable\. Attempt 2 starts at 2026-11-23T12:01:05Z/,
  );
  assert.equal(failed.actions[0]?.type === 'patch' && failed.actions[0].event?.type, 'Warning');
  assert.equal(flags(failed), 'failed');
  assert.equal(failed.requeueAfter, 60_000 - 250, 'back after the first delay, counted from the recorded second');
  world = apply(world, failed.actions);
  assert.equal(annotation(world, 'archive-failed-at'), '2026-11-23T12:00:05Z');
  assert.match(annotation(world, 'archive-last-error') ?? '', /replica unavailable/);

  const waiting = decide(later(world, 30_000));
  assert.deepEqual(writes(waiting.actions), [], 'nothing happens during the backoff');
  assert.deepEqual(
    messages(waiting.actions),
    messages(failed.actions),
    'the failure Event is repeated verbatim (deduplicated)',
  );
  assert.equal(waiting.requeueAfter, 60_000 - 250 - 30_000);
  assert.equal(flags(waiting), 'failed');

  world = later(world, 60_000);
  const retry = decide(world);
  assert.deepEqual(writes(retry.actions), [`patch recurringjobs/${JOB}`, `create snapshots/${name2}`]);
  assert.match(
    messages(retry.actions)[0] ?? '',
    /archive attempt 2 \(a retry: attempt 1 failed: .*replica unavailable\)/,
  );
  assert.equal(flags(retry), 'failed', 'still failing until an attempt succeeds');
  world = apply(world, retry.actions);
  assert.equal(annotation(world, 'archive-attempt'), '2');
  assert.equal(annotation(world, 'archive-failed-at'), undefined);
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1, name2],
    'the failed Snapshot is kept',
  );

  // Attempt 2: the Backup fails; the delay doubles.
  world = step(longhorn(world, 'snapshots', name2, { readyToUse: true }));
  world = longhorn(world, 'backups', name2, { state: 'Error', error: 'backup target is unavailable' });
  const failed2 = decide(world);
  assert.match(
    messages(failed2.actions)[0] ?? '',
    /attempt 2 failed: Backup .* ended in state Error: backup target is unavailable/,
  );
  assert.equal(failed2.requeueAfter, 120_000 - 250);
  world = apply(world, failed2.actions);
  assert.deepEqual(writes(decide(later(world, 119_000)).actions), []);
  const retry2 = decide(later(world, 120_000));
  assert.deepEqual(
    writes(retry2.actions),
    [`patch recurringjobs/${JOB}`, `create backups/${name3}`],
    'the ready Snapshot of attempt 2 is backed up again',
  );
  assert.match(
    messages(retry2.actions)[0] ?? '',
    new RegExp(`Snapshot ${name2} is ready \\(reused from an earlier attempt`),
  );
  world = step(later(world, 120_000));
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1, name2],
    'no third Snapshot: a failing Backup adds none',
  );
  assert.equal(world.backups.find((b) => b.metadata.name === name3)?.spec?.snapshotName, name2);
  assert.equal(annotation(world, 'archive-snapshot'), name2);

  // Attempt 3 succeeds: ready, no longer failed, the last error cleared.
  world = step(longhorn(world, 'backups', name3, { state: 'Completed', url: 's3://ok' }));
  assert.equal(flags(decide(world)), 'ready');
  assert.equal(annotation(world, 'archive-backup'), name3);
  assert.equal(annotation(world, 'archive-last-error'), undefined);
  assert.deepEqual(
    world.backups.map((b) => b.metadata.name),
    [name2, name3],
    'the failed Backup is kept',
  );
});

test('a Snapshot never ready fails at snapshotReadyTimeout from its creationTimestamp', () => {
  const config = { ...defaultConfig, snapshotReadyTimeout: 10_000 };
  let world = step(archivingWorld({ config }));
  assert.equal(decide(later(world, 4_000)).requeueAfter, 6_000);
  assert.deepEqual(writes(decide(later(world, 9_999)).actions), []);
  world = later(world, 10_000);
  const failed = decide(world);
  assert.equal(flags(failed), 'failed');
  assert.match(messages(failed.actions)[0] ?? '', /Snapshot .* was not ready within 10s \(snapshotReadyTimeout\)/);
});

test('a Backup not completed within backupCompletionTimeout, or Unknown, or being deleted, fails the attempt', () => {
  const config = { ...defaultConfig, backupCompletionTimeout: 60_000 };
  let world = step(archivingWorld({ config }));
  world = step(longhorn(world, 'snapshots', name1, { readyToUse: true }));
  const slow = decide(later(longhorn(world, 'backups', name1, { state: 'InProgress' }), 60_000));
  assert.match(
    messages(slow.actions)[0] ?? '',
    /did not complete within 1m \(backupCompletionTimeout\); its state is InProgress/,
  );
  const unknown = decide(longhorn(world, 'backups', name1, { state: 'Unknown', messages: { engine: 'lost contact' } }));
  assert.match(messages(unknown.actions)[0] ?? '', /ended in state Unknown: lost contact/);
  const deleting = decide(longhorn(world, 'backups', name1, { state: 'Deleting' }));
  assert.match(messages(deleting.actions)[0] ?? '', /is being deleted/);
  // Longhorn refusing the Backup (backup target unavailable) leaves none: timed out from the Snapshot.
  const refused = decide(later({ ...world, backups: [] }, 10_000 + 60_000));
  assert.deepEqual(writes(refused.actions), [`create backups/${name1}`], 'still trying before the limit');
  const never = decide(later({ ...world, backups: [] }, 600_000 + 60_000));
  // Longhorn refusing the Snapshot (the volume's snapshot limit) leaves none: timed out from the attempt's start.
  const noSnapshot = decide(later({ ...world, snapshots: [], backups: [] }, 600_000));
  assert.match(
    messages(noSnapshot.actions)[0] ?? '',
    /Snapshot .* could not be made within 10m of the attempt's start/,
  );
  assert.deepEqual(writes(decide(later({ ...world, snapshots: [], backups: [] }, 599_000)).actions), [
    `create snapshots/${name1}`,
  ]);
  assert.match(
    messages(never.actions)[0] ?? '',
    /Backup .* could not be made within 11m of its Snapshot .*is the volume's backup target available\?/,
  );
  for (const outcome of [slow, unknown, deleting, never, noSnapshot]) assert.equal(flags(outcome), 'failed');
});

test('the retry backoff is configurable', () => {
  const quick = createArchiveWorkflow({ retryBackoff: { initialMs: 2_000, maxMs: 5_000 } });
  let world = step(archivingWorld());
  world = longhorn(world, 'snapshots', name1, { error: 'boom' });
  const failed = quick.reconcile(contextOf(world));
  assert.equal(failed.requeueAfter, 2_000);
  world = apply(world, failed.actions);
  assert.deepEqual(writes(quick.reconcile(contextOf(later(world, 2_000))).actions), [
    `patch recurringjobs/${JOB}`,
    `create snapshots/${name2}`,
  ]);
});

test('PVC deleted mid-workflow: the workflow goes on from the job, Events go to the job, and completes', () => {
  let world = step(archivingWorld());
  world = { ...world, pvc: undefined };
  assert.deepEqual(writes(decide(world).actions), [], 'still waiting for readyToUse');
  world = longhorn(world, 'snapshots', name1, { readyToUse: true });
  const backupStep = decide(world);
  assert.deepEqual(writes(backupStep.actions), [`create backups/${name1}`]);
  const event = backupStep.actions[0]?.type === 'create' ? backupStep.actions[0].event : undefined;
  assert.deepEqual(event?.involvedObject, {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'RecurringJob',
    namespace: LH,
    name: JOB,
    uid: 'job-uid',
  });
  world = step(longhorn(apply(world, backupStep.actions), 'backups', name1, { state: 'Completed', url: 's3://x' }));
  const done = decide(world);
  assert.equal(flags(done), 'ready');
  assert.match(messages(done.actions)[0] ?? '', /PVC shop\/db is already deleted/);
});

test('a Volume gone before completion is reported failed (Event) and never retried; a completed archive stays ready', () => {
  let world = step(archivingWorld());
  world = { ...world, pvc: undefined, volumes: [] };
  const gone = decide(world);
  assert.deepEqual(writes(gone.actions), []);
  assert.deepEqual(reasons(gone.actions), ['ArchiveVolumeGone']);
  assert.match(
    messages(gone.actions)[0] ?? '',
    /Longhorn volume grafana-restored-vol is gone before the archive completed \(attempt 1\)/,
  );
  assert.equal(flags(gone), 'failed');
  assert.deepEqual(writes(decide(later(world, 30 * 86_400_000)).actions), [], 'no new attempt, ever');

  // Gone after a failure was recorded: still no retry.
  let failing = step(archivingWorld());
  failing = apply(failing, decide(longhorn(failing, 'snapshots', name1, { error: 'x' })).actions);
  const noRetry = decide(later({ ...failing, volumes: [] }, 86_400_000));
  assert.deepEqual(writes(noRetry.actions), []);
  assert.deepEqual(reasons(noRetry.actions), ['ArchiveVolumeGone']);

  const done = { ...archived(), pvc: undefined, volumes: [] };
  assert.equal(flags(decide(done)), 'ready');
});

test('a PVC deleted before the workflow could record anything: reported failed on the job, nothing made', () => {
  const world = archivingWorld({ pvc: undefined });
  const outcome = decide(world);
  assert.deepEqual(writes(outcome.actions), []);
  assert.deepEqual(reasons(outcome.actions), ['ArchiveFailed']);
  assert.match(messages(outcome.actions)[0] ?? '', /was deleted before its archive could start/);
  assert.equal(flags(outcome), 'failed');
});

test('withdrawn mid-workflow (label removed): stop, keep everything, one Event, no archive metrics; asking again starts a new attempt', () => {
  let world = step(archivingWorld());
  const pvc = pvcOf(optedIn());
  // The reconciler drops the job's archive labels in the same pass; either way the PVC decides.
  for (const job of [world.job, jobFor(pvc, defaultConfig, world.job?.metadata.annotations)]) {
    const outcome = decide({ ...world, pvc, job });
    assert.deepEqual(writes(outcome.actions), [`patch recurringjobs/${JOB}`]);
    assert.deepEqual(reasons(outcome.actions), ['ArchiveWithdrawn']);
    assert.match(
      messages(outcome.actions)[0] ?? '',
      new RegExp(`stopped at attempt 1; nothing was deleted \\(Snapshot ${name1} is kept\\)`),
    );
    assert.equal(flags(outcome), '');
  }
  world = step({ ...world, pvc, job: jobFor(pvc, defaultConfig, world.job?.metadata.annotations) });
  assert.ok(annotation(world, 'archive-withdrawn-at') !== undefined);
  assert.deepEqual(decide(world).actions, [], 'said once');

  const again = pvcOf(optedIn(archiveLabels()));
  world = step({ ...world, pvc: again, job: jobFor(again, defaultConfig, world.job?.metadata.annotations) });
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1, name2],
    'a new request is a new attempt with new names',
  );
  assert.equal(annotation(world, 'archive-withdrawn-at'), undefined);
});

test('withdrawn after completion: the completed Backup is named as kept', () => {
  const world = archived();
  const pvc = pvcOf(optedIn());
  const outcome = decide({ ...world, pvc, job: jobFor(pvc, defaultConfig, world.job?.metadata.annotations) });
  assert.match(messages(outcome.actions)[0] ?? '', new RegExp(`the completed archive Backup ${name1} is kept`));
  assert.equal(flags(outcome), '');
});

test('an opted-out PVC asking for an archive gets a violation and a Warning; one whose job still carries the request goes on', () => {
  const pvc = pvcOf({ [`${P}/enabled`]: 'false', ...archiveLabels() });
  const outcome = decide(archivingWorld({ pvc, job: undefined }));
  assert.deepEqual(writes(outcome.actions), []);
  assert.deepEqual(reasons(outcome.actions), ['ArchiveNotStarted']);
  assert.deepEqual(
    outcome.report.violations?.map((v) => v.condition),
    ['archive_while_disabled'],
  );
  assert.match(
    outcome.report.violations?.[0]?.message ?? '',
    /backup\.vluwte\.nl\/archive=true asks for an archive, but backup\.vluwte\.nl\/enabled=false: nothing is archived/,
  );

  // Opted out after the archive started: the reconciler keeps the job (archive labels) and the archive goes on.
  const started = step(archivingWorld());
  const continued = decide({ ...started, pvc });
  assert.deepEqual(writes(continued.actions), []);
  assert.equal(continued.requeueAfter, defaultConfig.snapshotReadyTimeout);
  assert.deepEqual(continued.report.violations ?? [], []);
});

test('an invalid PVC or a job-name conflict: a Warning saying why the archive has not started', () => {
  const invalid = pvcOf(optedIn({ ...archiveLabels(), [`${P}/retain`]: 'lots' }));
  const a = decide(archivingWorld({ pvc: invalid, job: undefined }));
  assert.deepEqual(reasons(a.actions), ['ArchiveNotStarted']);
  assert.match(messages(a.actions)[0] ?? '', /backup labels of this PVC are invalid/);
  assert.deepEqual(a.report.violations ?? [], [], 'the reconciler reports the label violations itself');

  const other = pvcOf(optedIn(archiveLabels()));
  const foreign = {
    ...jobFor(other),
    metadata: {
      ...jobFor(other).metadata,
      labels: { [`${P}/managed`]: 'true', [`${P}/source-namespace`]: 'shop-db', [`${P}/source-pvc`]: 'x' },
    },
  };
  const b = decide(archivingWorld({ job: foreign }));
  assert.deepEqual(writes(b.actions), []);
  assert.match(messages(b.actions)[0] ?? '', /RecurringJob backup-shop-db is not this PVC's job/);
});

test('nothing while the reconciler is still writing the job (absent, or without the archive labels yet)', () => {
  const pvc = pvcOf(optedIn(archiveLabels()));
  assert.deepEqual(decide(archivingWorld({ job: undefined })), { actions: [], report: {} });
  assert.deepEqual(decide(archivingWorld({ job: jobFor(pvcOf(optedIn())) })).actions, []);
  assert.deepEqual(decide(archivingWorld({ pvc, job: jobFor(pvc) })).actions.length > 0, true);
});

test('waits for a bound PVC and an existing volume before recording anything', () => {
  const unbound = decide(archivingWorld({ pvc: pvcOf(optedIn(archiveLabels()), { volumeName: null }) }));
  assert.deepEqual(writes(unbound.actions), []);
  assert.deepEqual(reasons(unbound.actions), ['ArchiveWaiting']);
  assert.match(messages(unbound.actions)[0] ?? '', /not bound yet/);
  const noVolume = decide(archivingWorld({ volumes: [] }));
  assert.match(messages(noVolume.actions)[0] ?? '', /Longhorn volume grafana-restored-vol does not exist yet/);
});

test('expiry: from the first moment (UTC) of the day after archive-delete-after; an Event with the cleanup commands; nothing deleted', () => {
  const world = archived();
  const before = decide({ ...world, now: new Date('2027-01-31T23:59:59.999Z') });
  assert.equal(flags(before), 'ready');
  const after = decide({ ...world, now: new Date('2027-02-01T00:00:00.000Z') });
  assert.equal(flags(after), 'ready,expired');
  assert.deepEqual(after.report.archiveExpired, [JOB]);
  assert.deepEqual(writes(after.actions), []);
  assert.deepEqual(reasons(after.actions), ['ArchiveReady', 'ArchiveExpired']);
  const message = messages(after.actions)[1] ?? '';
  assert.match(message, /past its backup\.vluwte\.nl\/archive-delete-after date 2027-01-31/);
  assert.match(
    message,
    /kubectl delete backups\.longhorn\.io -n longhorn-system -l backup\.vluwte\.nl\/archive-job=backup-shop-db/,
  );
  assert.match(message, /kubectl delete recurringjobs\.longhorn\.io -n longhorn-system backup-shop-db/);
  // A deleted PVC's expired archive too; and an expired request still makes its archive.
  assert.equal(flags(decide({ ...world, pvc: undefined, now: new Date('2027-03-01T00:00:00Z') })), 'ready,expired');
  const pastDate = pvcOf(optedIn(archiveLabels('2020-02-29')));
  const late = decide(archivingWorld({ pvc: pastDate, job: jobFor(pastDate) }));
  assert.equal(flags(late), 'expired');
  assert.deepEqual(writes(late.actions), [`patch recurringjobs/${JOB}`, `create snapshots/${name1}`]);
});

test('a later PVC with the same name (new uid) makes its own archive under new names', () => {
  const world = archived();
  const newcomer = pvcOf(optedIn(archiveLabels()), { uid: 'another-uid' });
  const outcome = decide({ ...world, pvc: newcomer });
  assert.deepEqual(writes(outcome.actions), [
    `patch recurringjobs/${JOB}`,
    `create snapshots/${archiveObjectName(JOB, 'another-uid', 1)}`,
  ]);
  // ... and it does not withdraw the earlier PVC's archive when it asks for none.
  const quiet = pvcOf(optedIn(), { uid: 'another-uid' });
  assert.deepEqual(
    decide({ ...world, pvc: quiet, job: jobFor(quiet, defaultConfig, world.job?.metadata.annotations) }).actions,
    [],
  );
});

test('a PVC name longer than a label value: objects keyed by the full name; the shortened alias key stays silent', () => {
  const long = `db-${'x'.repeat(70)}`;
  const pvc = {
    ...pvcOf(optedIn(archiveLabels())),
    metadata: { namespace: 'shop', name: long, uid: UID, labels: optedIn(archiveLabels()) },
  };
  const world = archivingWorld({ pvc, job: jobFor(pvc) });
  const ctx = { ...contextOf(world), key: { namespace: 'shop', pvcName: long } };
  const outcome = archiveWorkflow.reconcile(ctx);
  const snapshot = createBody<Snapshot>(outcome.actions, 'snapshots');
  assert.equal(snapshot.metadata.annotations?.[`${P}/archive-pvc`], long);
  assert.equal(snapshot.metadata.labels?.[`${P}/source-pvc`]?.length, 63);
  const after = apply(world, outcome.actions);
  const alias = {
    ...contextOf({ ...after, pvc: undefined }),
    key: { namespace: 'shop', pvcName: snapshot.metadata.labels?.[`${P}/source-pvc`] ?? '' },
  };
  assert.deepEqual(archiveWorkflow.reconcile(alias), { actions: [], report: {} });
});

test("the workflow never deletes anything and writes only Snapshots, Backups and its job's annotations", () => {
  // apply() throws on any other write; a long run through failures, retries and completion.
  let world = archivingWorld({ config: { ...defaultConfig, snapshotReadyTimeout: 1_000 } });
  for (
    let i = 0;
    i < 100 && !(world.snapshots.length === 4 && annotation(world, 'archive-failed-at') === undefined);
    i++
  )
    world = step(later(world, 3_600_000));
  assert.equal(world.snapshots.length, 4, 'three attempts timed out, the fourth is in flight');
  assert.equal(world.backups.length, 0);
  const last = archiveObjectName(JOB, UID, 4);
  world = step(longhorn(world, 'snapshots', last, { readyToUse: true }));
  world = step(longhorn(world, 'backups', last, { state: 'Completed' }));
  assert.equal(flags(decide(world)), 'ready');
});

test('archiveMaxAttempts: after the last attempt fails the workflow stops (Event, backup_archive_attempts_exhausted) until asked again; nothing is deleted', () => {
  const config = { ...defaultConfig, archiveMaxAttempts: 2 };
  let world = step(archivingWorld({ config }));
  world = step(longhorn(world, 'snapshots', name1, { error: 'replica unavailable' }));
  world = step(later(world, 60_000));
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1, name2],
  );
  world = longhorn(world, 'snapshots', name2, { error: 'replica unavailable' });
  const last = decide(world);
  assert.deepEqual(reasons(last.actions), ['ArchiveAttemptsExhausted']);
  assert.match(
    messages(last.actions)[0] ?? '',
    /That was attempt 2 of 2 \(archiveMaxAttempts\): no further attempt is made until the archive is asked again/,
  );
  assert.equal(last.requeueAfter, undefined, 'no retry is scheduled');
  assert.deepEqual(last.report.archiveExhausted, [JOB]);
  world = apply(world, last.actions);
  for (const wait of [60_000, 86_400_000 * 30]) {
    const idle = decide(later(world, wait));
    assert.deepEqual(writes(idle.actions), [], 'no third Snapshot, however long it waits');
    assert.deepEqual(idle.report.archiveExhausted, [JOB]);
  }

  // Asked again (label removed, then set again): a new run with its own attempts.
  const withdrawnPvc = pvcOf(optedIn());
  world = step({ ...world, pvc: withdrawnPvc, job: jobFor(withdrawnPvc, config, world.job?.metadata.annotations) });
  const again = pvcOf(optedIn(archiveLabels()));
  world = step({ ...world, pvc: again, job: jobFor(again, config, world.job?.metadata.annotations) });
  assert.deepEqual(
    world.snapshots.map((s) => s.metadata.name),
    [name1, name2, name3],
  );
  assert.equal(annotation(world, 'archive-first-attempt'), '3');
  assert.deepEqual(decide(world).report.archiveExhausted ?? [], []);
});
