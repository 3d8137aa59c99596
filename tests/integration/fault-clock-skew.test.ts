// A replica whose clock is ten minutes ahead or behind takes over from one with a true clock while
// an orphan's grace period and an archive Snapshot's ready timeout are running: both end when they
// would with true clocks (the apiserver's time is the reference, learnt from the Date of the Lease
// writes), not at once (ahead) and not ten minutes late (behind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { ReconcilerWorld, enabledLabels, scrape } from './reconciler-fixture.ts';
import { annotationOf, archivingPvc, waitForArchiveObject } from './archive-fixture.ts';

const cluster = await useTestCluster();
const GRACE_MS = 8_000;
const SNAPSHOT_TIMEOUT_MS = 8_000;
const SKEW_MS = 10 * 60_000;

for (const [direction, skewMs] of [
  ['ahead', SKEW_MS],
  ['behind', -SKEW_MS],
] as const) {
  test(`a replica whose clock is 10 minutes ${direction} takes over: the orphan grace period and the snapshot timeout end as with true clocks`, async (t) => {
    const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
    const [app = ''] = world.apps;
    await world.writeConfig(
      [
        `longhornNamespace: ${world.longhornNs}`,
        `watchNamespaces: [${app}]`,
        `orphanGracePeriod: ${GRACE_MS / 1000}s`,
        `snapshotReadyTimeout: ${SNAPSHOT_TIMEOUT_MS / 1000}s`,
        'resyncPeriod: 30s',
      ].join('\n'),
    );
    const jobOf = (name: string) => `backup-${app}-${name}`;
    try {
      const first = await world.start('true-clock');
      await waitFor('leading', async () => (first.isLeader() ? true : undefined), 15_000);
      await world.createPvc(app, 'gone', enabledLabels('gone'));
      await world.waitForJob(jobOf('gone'));
      const archiveJob = await archivingPvc(world, app, 'db', 'vol-db', '2099-12-31');
      await waitForArchiveObject<Snapshot>(world, 'snapshots', archiveJob, 1);
      await world.deletePvc(app, 'gone');
      const marked = await world.waitForJob(
        jobOf('gone'),
        (job) => annotationOf(job, 'orphaned-since') !== undefined,
        'the orphan mark',
      );
      // Both recorded in the apiserver's time (whole seconds for the mark).
      const markedAt = Date.parse(annotationOf(marked, 'orphaned-since') ?? '');
      const attemptStartedAt = Date.parse(
        annotationOf(await world.job(archiveJob), 'archive-attempt-started-at') ?? '',
      );
      assert.ok(!Number.isNaN(markedAt) && !Number.isNaN(attemptStartedAt));

      await first.close(); // releases the Lease: the skewed replica takes over at once
      const skewed = await world.start('skewed', { localClock: () => Date.now() + skewMs });
      await waitFor('the skewed replica leads', async () => (skewed.isLeader() ? true : undefined), 15_000);
      await skewed.whenIdle();
      // This host's clock is the apiserver's: nothing may have ended before its time.
      const tookOverAt = Date.now();
      if (tookOverAt < markedAt + GRACE_MS - 1_000)
        assert.ok((await world.job(jobOf('gone'))) !== undefined, 'the orphan outlives its grace period');
      if (tookOverAt < attemptStartedAt + SNAPSHOT_TIMEOUT_MS - 1_000)
        assert.deepEqual(
          (await world.events(app, 'db')).filter((e) => e.reason === 'ArchiveFailed').map((e) => e.message),
          [],
          'the Snapshot has not timed out yet',
        );

      await world.waitForNoJob(jobOf('gone'));
      const deletedAt = Date.now();
      await world.waitForEvent(app, 'db', 'ArchiveFailed', /was not ready within 8s \(snapshotReadyTimeout\)/);
      const timedOutAt = Date.now();
      // Whole seconds in the mark: it was made up to 1 s after markedAt.
      assert.ok(deletedAt >= markedAt + GRACE_MS, 'not deleted before the grace period ended');
      assert.ok(timedOutAt >= attemptStartedAt + SNAPSHOT_TIMEOUT_MS, 'not timed out before its time');
      // Ten minutes off, uncorrected, would be ten minutes late.
      assert.ok(deletedAt < markedAt + GRACE_MS + 60_000, 'the orphan was deleted when due, not minutes later');
      assert.ok(timedOutAt < attemptStartedAt + SNAPSHOT_TIMEOUT_MS + 60_000, 'the timeout ended when due');
      const offset = Number(/^backup_reconciler_clock_offset_seconds (\S+)$/m.exec(await scrape(skewed))?.[1]);
      assert.ok(Math.abs(offset + skewMs / 1000) < 5, `the offset measured: ${offset} s`);
      t.diagnostic(
        `clock ${direction} by 10 min: orphan deleted ${((deletedAt - markedAt) / 1000).toFixed(1)} s after its mark (grace 8 s), Snapshot timed out ${((timedOutAt - attemptStartedAt) / 1000).toFixed(1)} s after the attempt began (timeout 8 s)`,
      );
    } finally {
      await world.stopAll();
    }
  });
}
