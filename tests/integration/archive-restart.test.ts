// The reconciler process (node reconciler/src/main.ts) killed with SIGKILL right after the
// archive Snapshot is created, right after the Backup is created, and right after Longhorn
// completes the Backup; restarted, it resumes from the cluster: never a second Snapshot or
// Backup, and the archive completes. Also a restart that must find a deleted PVC's archive by its
// objects alone (a PVC name too long for the job's label).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { ReconcilerWorld, seriesValue } from './reconciler-fixture.ts';
import {
  annotationOf,
  archiveLabels,
  archiveNames,
  archiveObjects,
  archivingPvc,
  enabled,
  scrapePort,
  setStatus,
  startChildReconciler,
  type ChildReconciler,
} from './archive-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
let running: ChildReconciler | undefined;
after(async () => {
  await running?.kill();
  await world.stopAll();
});

const IDENTITY = 'archive-restart';
const RESTART_WAIT_MS = 60_000;

async function start(): Promise<ChildReconciler> {
  running = await startChildReconciler(world, IDENTITY);
  return running;
}

async function killNow(): Promise<void> {
  await running?.kill();
  running = undefined;
}

/** Polls often: the kill should land as soon as the object appears. */
async function firstArchiveObject<T extends Snapshot | Backup>(
  plural: 'snapshots' | 'backups',
  job: string,
): Promise<T> {
  return waitFor(
    `the archive ${plural} of ${job}`,
    async () => (await archiveObjects<T>(world, plural, job))[0],
    30_000,
    10,
  );
}

/** After the restart: Longhorn finishes what is left, the archive is ready, and there is one of each. */
async function finishAndCheck(child: ChildReconciler, job: string, pvc: string): Promise<void> {
  const snapshot = await firstArchiveObject<Snapshot>('snapshots', job);
  if (snapshot.status?.readyToUse !== true)
    await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitFor(
    `the Backup of ${job}`,
    async () => (await archiveObjects<Backup>(world, 'backups', job))[0],
    RESTART_WAIT_MS,
  );
  if (backup.status?.state !== 'Completed')
    await setStatus(world, 'backups', backup.metadata.name ?? '', { state: 'Completed', url: `s3://restart/${pvc}` });
  await waitFor(
    `backup_archive_ready of ${pvc} on the restarted reconciler`,
    async () =>
      seriesValue(await scrapePort(child.metricsPort), 'backup_archive_ready', { job, namespace: app, pvc }) === 1
        ? true
        : undefined,
    RESTART_WAIT_MS,
  );
  const recorded = await world.waitForJob(job, (j) => annotationOf(j, 'archive-backup') !== undefined);
  assert.equal(annotationOf(recorded, 'archive-backup'), backup.metadata.name);
  assert.equal(annotationOf(recorded, 'archive-attempt'), '1');
  assert.deepEqual(await archiveNames(world, 'snapshots', job), [snapshot.metadata.name], 'one Snapshot');
  assert.deepEqual(await archiveNames(world, 'backups', job), [backup.metadata.name], 'one Backup');
}

test('SIGKILL right after the Snapshot is created: the restarted reconciler reuses it', async () => {
  await start();
  const job = await archivingPvc(world, app, 'kill-snapshot', 'vol-kill-snapshot', '2099-12-31');
  await firstArchiveObject('snapshots', job);
  await killNow();
  const child = await start();
  await finishAndCheck(child, job, 'kill-snapshot');
});

test('SIGKILL right after the Backup is created: the restarted reconciler waits for that Backup', async () => {
  const job = await archivingPvc(world, app, 'kill-backup', 'vol-kill-backup', '2099-12-31');
  const snapshot = await firstArchiveObject<Snapshot>('snapshots', job);
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  await firstArchiveObject('backups', job);
  await killNow();
  const child = await start();
  await finishAndCheck(child, job, 'kill-backup');
});

test('a deleted PVC whose name is over 63 characters: after a restart the full resync reaches its archive (the Snapshot got ready while it was down)', async () => {
  const longName = `archived-${'x'.repeat(64)}`;
  await world.createPvc(app, longName, enabled('longarch', archiveLabels('2099-12-31')));
  await world.bind(app, longName, 'vol-long-name');
  const job = `backup-${app}-longarch`;
  await firstArchiveObject('snapshots', job);
  await world.deletePvc(app, longName);
  await world.waitForEvent(world.longhornNs, job, 'BackupJobRetained');
  await killNow();
  // Nothing changes after the restart: the job's label holds a cut name, only the Snapshot's annotation the full one.
  const snapshot = await firstArchiveObject<Snapshot>('snapshots', job);
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const child = await start();
  await finishAndCheck(child, job, longName);
});

test('SIGKILL right after Longhorn completed the Backup: the restart records the result and reports ready', async () => {
  const job = await archivingPvc(world, app, 'kill-done', 'vol-kill-done', '2099-12-31');
  const snapshot = await firstArchiveObject<Snapshot>('snapshots', job);
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await firstArchiveObject<Backup>('backups', job);
  await setStatus(world, 'backups', backup.metadata.name ?? '', { state: 'Completed', url: 's3://restart/kill-done' });
  await killNow();
  const child = await start();
  await finishAndCheck(child, job, 'kill-done');
  await child.stop();
  running = undefined;
});
