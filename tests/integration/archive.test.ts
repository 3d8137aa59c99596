// The archive workflow end to end, in the reconciler against a real apiserver; the test plays
// Longhorn (Snapshot and Backup statuses through the status subresource) and the PV binder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { createArchiveWorkflow } from '@longhorn-backup-guard/reconciler/archive/archive-workflow';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld, scrape, seriesValue, waitForSeries } from './reconciler-fixture.ts';
import {
  annotationOf,
  archiveLabels,
  archiveNames,
  archiveObjects,
  archivingPvc,
  deleteVolume,
  enabled,
  setStatus,
  waitForArchiveObject,
} from './archive-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
let clockOffsetMs = 0;
// Retries after 1 s, 2 s (the default starts at a minute).
const handle = await world.start('archive-1', {
  archive: createArchiveWorkflow({ retryBackoff: { initialMs: 1_000, maxMs: 2_000 } }),
  now: () => new Date(Date.now() + clockOffsetMs),
});
after(() => world.stopAll());

const FAR = '2099-12-31';
const series = (job: string, pvc: string) => ({ job, namespace: app, pvc });

async function metric(name: string, job: string, pvc: string): Promise<number | undefined> {
  return seriesValue(await scrape(handle), name, series(job, pvc));
}

/** Longhorn finishes the newest Snapshot (the `snapshots`-th), then its Backup. */
async function playLonghornWell(job: string, snapshots: number, url: string): Promise<Backup> {
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, snapshots);
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', {
    readyToUse: true,
    creationTime: new Date().toISOString(),
  });
  const backup = await waitFor(`the Backup of ${snapshot.metadata.name ?? ''}`, async () =>
    (await archiveObjects<Backup>(world, 'backups', job)).find((b) => b.metadata.name === snapshot.metadata.name),
  );
  await setStatus(world, 'backups', backup.metadata.name ?? '', {
    state: 'Completed',
    url,
    backupCreatedAt: '2026-11-23T12:34:56Z',
    snapshotName: snapshot.metadata.name,
  });
  return backup;
}

test('happy path: Snapshot of the Volume spec.volumeName names -> full Backup -> ready, "safe to delete" on the PVC, backup_archive_ready=1', async () => {
  const job = await archivingPvc(world, app, 'grafana', 'grafana-restored', FAR);
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
  assert.equal(snapshot.spec?.volume, 'grafana-restored', 'the Volume named by spec.volumeName, never pvc-<uid>');
  assert.equal(snapshot.spec?.createSnapshot, true);
  const links = {
    [`${P}/archive-job`]: job,
    [`${P}/managed`]: 'true',
    [`${P}/source-namespace`]: app,
    [`${P}/source-pvc`]: 'grafana',
  };
  assert.deepEqual(snapshot.metadata.labels, links);
  assert.deepEqual(snapshot.spec?.labels, links);
  const pvc = await world.getPvc(app, 'grafana');
  const recorded = await world.waitForJob(job, (j) => annotationOf(j, 'archive-attempt') === '1');
  assert.equal(annotationOf(recorded, 'archive-volume'), 'grafana-restored');
  assert.equal(annotationOf(recorded, 'archive-pvc-uid'), pvc.metadata?.uid);
  assert.equal(
    recorded.metadata.labels?.[`${P}/archive`],
    'true',
    'the archive labels are on the job from the first write',
  );
  await world.waitForEvent(app, 'grafana', 'ArchiveSnapshotCreated', /archive attempt 1: created Snapshot/);
  assert.deepEqual(await archiveNames(world, 'backups', job), [], 'no Backup before the Snapshot is ready');

  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
  assert.equal(backup.metadata.name, snapshot.metadata.name);
  assert.equal(backup.spec?.snapshotName, snapshot.metadata.name);
  assert.equal(backup.spec?.backupMode, 'full');
  assert.equal(backup.metadata.labels?.['backup-volume'], 'grafana-restored');
  assert.deepEqual(backup.spec?.labels, links);
  assert.equal(await metric('backup_archive_ready', job, 'grafana'), undefined);

  await setStatus(world, 'backups', backup.metadata.name ?? '', { state: 'InProgress', progress: 50 });
  await setStatus(world, 'backups', backup.metadata.name ?? '', {
    state: 'Completed',
    url: 's3://archive@eu/?backup=b&volume=grafana-restored',
    backupCreatedAt: '2026-11-23T12:34:56Z',
  });
  await waitForSeries(handle, 'backup_archive_ready', series(job, 'grafana'), true);
  assert.equal(await metric('backup_archive_ready', job, 'grafana'), 1);
  assert.equal(await metric('backup_archive_failed', job, 'grafana'), undefined);
  const done = await world.waitForJob(job, (j) => annotationOf(j, 'archive-backup') !== undefined);
  assert.equal(annotationOf(done, 'archive-backup'), backup.metadata.name);
  assert.equal(annotationOf(done, 'archive-backup-url'), 's3://archive@eu/?backup=b&volume=grafana-restored');
  assert.equal(annotationOf(done, 'archive-completed-at'), '2026-11-23T12:34:56Z');
  const ready = await world.waitForEvent(app, 'grafana', 'ArchiveReady', /PVC .*grafana is safe to delete/);
  assert.equal(ready.type, 'Normal');

  await handle.whenIdle();
  const before = handle.writes.total();
  handle.resync();
  await handle.whenIdle();
  assert.equal(handle.writes.total(), before, 'the steady state writes nothing');
  assert.equal((await archiveNames(world, 'snapshots', job)).length, 1);
});

test("failures: a Snapshot error, a Snapshot never ready, a Backup in Error: Warning with Longhorn's text, failed=1, attempt 2 under new names (a ready Snapshot reused), at most archiveMaxAttempts, nothing deleted", async () => {
  await world.writeConfig(world.configYaml('snapshotReadyTimeout: 2s\narchiveMaxAttempts: 2'));
  await waitFor('the short snapshotReadyTimeout in force', async () =>
    handle.config().snapshotReadyTimeout === 2_000 ? true : undefined,
  );
  try {
    // Snapshot error.
    const job = await archivingPvc(world, app, 'snaperr', 'vol-snaperr', FAR);
    const first = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
    await setStatus(world, 'snapshots', first.metadata.name ?? '', {
      error: 'failed to create snapshot: replica vol-snaperr-r-1 is not running',
    });
    const warning = await world.waitForEvent(
      app,
      'snaperr',
      'ArchiveFailed',
      /attempt 1 failed: Snapshot .* failed: failed to create snapshot: replica vol-snaperr-r-1 is not running/,
    );
    assert.equal(warning.type, 'Warning');
    await waitForSeries(handle, 'backup_archive_failed', series(job, 'snaperr'), true);
    const second = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 2);
    assert.match(second.metadata.name ?? '', /-2$/);
    assert.notEqual(second.metadata.name, first.metadata.name);
    assert.equal(annotationOf(await world.job(job), 'archive-attempt'), '2');
    assert.equal(await metric('backup_archive_failed', job, 'snaperr'), 1, 'failing until an attempt succeeds');
    await playLonghornWell(job, 2, 's3://ok');
    await waitForSeries(handle, 'backup_archive_ready', series(job, 'snaperr'), true);
    await waitForSeries(handle, 'backup_archive_failed', series(job, 'snaperr'), false);
    assert.equal((await archiveNames(world, 'snapshots', job)).length, 2, 'the failed Snapshot is kept');

    // A Snapshot never ready: fails at the timeout (counted from its creationTimestamp), then attempt 2.
    const slowJob = await archivingPvc(world, app, 'slow', 'vol-slow', FAR);
    await waitForArchiveObject(world, 'snapshots', slowJob, 1);
    await world.waitForEvent(app, 'slow', 'ArchiveFailed', /was not ready within 2s \(snapshotReadyTimeout\)/);
    await waitForArchiveObject(world, 'snapshots', slowJob, 2);

    // A Backup in Error.
    const errJob = await archivingPvc(world, app, 'backerr', 'vol-backerr', FAR);
    const snap = await waitForArchiveObject<Snapshot>(world, 'snapshots', errJob, 1);
    await setStatus(world, 'snapshots', snap.metadata.name ?? '', { readyToUse: true });
    const failedBackup = await waitForArchiveObject<Backup>(world, 'backups', errJob, 1);
    await setStatus(world, 'backups', failedBackup.metadata.name ?? '', {
      state: 'Error',
      error: 'failed to get backup target: s3 endpoint unreachable',
    });
    await world.waitForEvent(
      app,
      'backerr',
      'ArchiveFailed',
      /attempt 1 failed: Backup .* ended in state Error: failed to get backup target: s3 endpoint unreachable/,
    );
    // Attempt 2 backs up the ready Snapshot of attempt 1 again: a failing Backup adds no Snapshot.
    const retried = await waitForArchiveObject<Backup>(world, 'backups', errJob, 2);
    assert.equal(
      retried.spec?.snapshotName,
      snap.metadata.name,
      'the Backup of attempt 2 is of the Snapshot of attempt 1',
    );
    assert.deepEqual(await archiveNames(world, 'snapshots', errJob), [snap.metadata.name], 'no second Snapshot');
    await world.waitForEvent(app, 'backerr', 'ArchiveBackupCreated', /reused from an earlier attempt/);

    // archiveMaxAttempts (2 here): attempt 2 fails too, and the workflow stops until asked again.
    await setStatus(world, 'backups', retried.metadata.name ?? '', {
      state: 'Error',
      error: 'failed to get backup target: s3 endpoint unreachable',
    });
    const exhausted = await world.waitForEvent(
      app,
      'backerr',
      'ArchiveAttemptsExhausted',
      /That was attempt 2 of 2 \(archiveMaxAttempts\)/,
    );
    assert.equal(exhausted.type, 'Warning');
    await waitForSeries(handle, 'backup_archive_attempts_exhausted', series(errJob, 'backerr'), true);
    await sleep(3_000); // longer than the test's retry backoff (1 s, 2 s)
    handle.resync();
    await handle.whenIdle();
    assert.deepEqual(await archiveNames(world, 'snapshots', errJob), [snap.metadata.name], 'no attempt 3');
    assert.equal((await archiveNames(world, 'backups', errJob)).length, 2, 'no attempt 3, nothing deleted');

    // Asked again (the label removed, then set again): a new run, attempt 3 with a Snapshot of its own.
    await world.labelPvc(app, 'backerr', { [`${P}/archive`]: null });
    await world.waitForEvent(app, 'backerr', 'ArchiveWithdrawn');
    await world.labelPvc(app, 'backerr', archiveLabels(FAR));
    const third = await waitForArchiveObject<Snapshot>(world, 'snapshots', errJob, 2);
    assert.match(third.metadata.name ?? '', /-3$/);
    await waitForSeries(handle, 'backup_archive_attempts_exhausted', series(errJob, 'backerr'), false);
  } finally {
    await world.writeConfig(world.configYaml(''));
    await waitFor('the default snapshotReadyTimeout back', async () =>
      handle.config().snapshotReadyTimeout === 600_000 ? true : undefined,
    );
  }
});

test('PVC deleted mid-workflow: the job is kept and the workflow completes from its annotations; Events go to the job', async () => {
  const job = await archivingPvc(world, app, 'leaving', 'vol-leaving', FAR);
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
  await world.deletePvc(app, 'leaving');
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
  await setStatus(world, 'backups', backup.metadata.name ?? '', { state: 'Completed', url: 's3://leaving' });
  await waitForSeries(handle, 'backup_archive_ready', series(job, 'leaving'), true);
  assert.ok(await world.job(job), 'the job is kept');
  await world.waitForEvent(world.longhornNs, job, 'ArchiveReady', /PVC .*leaving is already deleted/);
  await world.waitForEvent(world.longhornNs, job, 'BackupJobRetained');
});

test('the Volume gone before completion: ArchiveVolumeGone on the job, failed=1, no new attempt', async () => {
  const job = await archivingPvc(world, app, 'doomed', 'vol-doomed', FAR);
  await waitForArchiveObject(world, 'snapshots', job, 1);
  await world.deletePvc(app, 'doomed');
  await deleteVolume(world, 'vol-doomed');
  const gone = await world.waitForEvent(
    world.longhornNs,
    job,
    'ArchiveVolumeGone',
    /Longhorn volume vol-doomed is gone before the archive completed \(attempt 1\)/,
  );
  assert.equal(gone.type, 'Warning');
  await waitForSeries(handle, 'backup_archive_failed', series(job, 'doomed'), true);
  handle.resync();
  await handle.whenIdle();
  assert.equal((await archiveNames(world, 'snapshots', job)).length, 1, 'not retried');
  assert.ok(await world.job(job), 'the job is kept');
});

test('the archive label removed before completion: stopped, everything kept, an Event, no archive series', async () => {
  const job = await archivingPvc(world, app, 'undecided', 'vol-undecided', FAR);
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
  await world.labelPvc(app, 'undecided', { [`${P}/archive`]: null, [`${P}/archive-delete-after`]: null });
  await world.waitForEvent(
    app,
    'undecided',
    'ArchiveWithdrawn',
    /withdrawn .* stopped at attempt 1; nothing was deleted \(Snapshot .* is kept\)/,
  );
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  handle.resync();
  await handle.whenIdle();
  assert.deepEqual(await archiveNames(world, 'backups', job), [], 'no Backup after the withdrawal');
  assert.deepEqual(await archiveNames(world, 'snapshots', job), [snapshot.metadata.name], 'the Snapshot is kept');
  const text = await scrape(handle);
  for (const name of ['backup_archive_ready', 'backup_archive_failed', 'backup_archive_expired'])
    assert.equal(seriesValue(text, name, series(job, 'undecided')), undefined, name);
  assert.equal(seriesValue(text, 'backup_pvc_managed', series(job, 'undecided')), 1, 'still backed up by its job');
});

test('an archive asked on an opted-out PVC: violation archive_while_disabled and a Warning; nothing made', async () => {
  await world.createPvc(app, 'optout', { [`${P}/enabled`]: 'false', ...archiveLabels(FAR) });
  await world.bind(app, 'optout', 'vol-optout');
  const event = await world.waitForEvent(
    app,
    'optout',
    'ArchiveNotStarted',
    /archive=true asks for an archive, but .*enabled=false: nothing is archived/,
  );
  assert.equal(event.type, 'Warning');
  await waitFor('the violation series', async () =>
    seriesValue(await scrape(handle), 'backup_pvc_violation', {
      condition: 'archive_while_disabled',
      namespace: app,
      pvc: 'optout',
    }) === 1
      ? true
      : undefined,
  );
  await world.labelPvc(app, 'optout', { [`${P}/archive`]: null });
  await waitFor('the violation gone', async () =>
    seriesValue(await scrape(handle), 'backup_pvc_violation', {
      condition: 'archive_while_disabled',
      namespace: app,
      pvc: 'optout',
    }) === undefined
      ? true
      : undefined,
  );
});

test('expiry (injected clock): from the day after archive-delete-after (UTC), backup_archive_expired=1 and an Event once; nothing deleted', async () => {
  const today = new Date().toISOString().slice(0, 10);
  await world.createPvc(app, 'expiring', enabled('expiring', archiveLabels(today)));
  await world.bind(app, 'expiring', 'vol-expiring');
  const job = `backup-${app}-expiring`;
  await playLonghornWell(job, 1, 's3://expiring');
  await waitForSeries(handle, 'backup_archive_ready', series(job, 'expiring'), true);
  assert.equal(await metric('backup_archive_expired', job, 'expiring'), undefined, 'not on the date itself');

  const [year = 0, month = 1, day = 1] = today.split('-').map(Number);
  clockOffsetMs = Date.UTC(year, month - 1, day + 1) - Date.now(); // the reconciler's clock: 00:00 UTC the day after
  handle.resync();
  await waitForSeries(handle, 'backup_archive_expired', series(job, 'expiring'), true);
  assert.equal(await metric('backup_archive_ready', job, 'expiring'), 1, 'still ready: expiry is reported beside it');
  const expired = await world.waitForEvent(
    app,
    'expiring',
    'ArchiveExpired',
    new RegExp(`past its ${P.replace(/\./g, '\\.')}/archive-delete-after date ${today}`),
  );
  assert.match(expired.message ?? '', /kubectl delete backups\.longhorn\.io/);
  handle.resync();
  await handle.whenIdle();
  assert.equal(
    (await world.events(app, 'expiring')).filter((e) => e.reason === 'ArchiveExpired').length,
    1,
    'one Event (deterministic name)',
  );
  await world.deletePvc(app, 'expiring');
  handle.resync();
  await handle.whenIdle();
  assert.ok(await world.job(job), 'the job with archive labels is never deleted');
  assert.equal((await archiveNames(world, 'backups', job)).length, 1, 'the Backup is never deleted');
  assert.equal((await archiveNames(world, 'snapshots', job)).length, 1, 'the Snapshot is never deleted');
  await waitForSeries(handle, 'backup_archive_expired', series(job, 'expiring'), true);
  clockOffsetMs = 0;
});
