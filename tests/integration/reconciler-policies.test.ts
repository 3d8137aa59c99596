// Backup policies against a real apiserver: a policy's jobs are made once however many PVCs use
// it, the volumes join the policy's group, a policy change updates its jobs in place, removing a
// used policy is refused and changes nothing, opt-out and deleted PVCs lose the group label (the
// latter after the grace period), unused policy jobs go after the grace period, a policy PVC's
// health is recorded on its Volume with transition Events, and the steady
// state writes nothing. The test plays Longhorn and the PV binder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { parseBackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import { POLICIES_YAML } from '../fixtures/policy-config.ts';
import { archiveLabels, setStatus, waitForArchiveObject } from './archive-fixture.ts';
import {
  P,
  assertResyncWritesNothing,
  enabledLabels,
  ReconcilerWorld,
  scrape,
  seriesValue,
  waitForSeries,
} from './reconciler-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1, extraConfig: POLICIES_YAML });
const [app = ''] = world.apps;
const handle = await world.start();
after(() => world.stopAll());

const STANDARD_GROUP = 'recurring-job-group.longhorn.io/policy-standard';
const DEFAULT_GROUP = 'recurring-job-group.longhorn.io/default';
const onPolicy = (name: string, policy = 'standard') => enabledLabels(name, { [`${P}/policy`]: policy });
const creates = () => handle.writes.snapshot().get('recurringjobs/create') ?? 0;

test('20 PVCs on one policy: its 2 jobs are created once, in the policy group, with the weekly day as cron day of week', async () => {
  const before = creates();
  await Promise.all(Array.from({ length: 20 }, (_, i) => world.createPvc(app, `many-${i}`, onPolicy(`many-${i}`))));
  const daily = await world.waitForJob('policy-standard-daily');
  const weekly = await world.waitForJob('policy-standard-weekly');
  await sleep(300);
  await handle.whenIdle();
  assert.equal(creates() - before, 2);
  assert.deepEqual(
    [daily, weekly].map((job) => [
      job.spec?.task,
      job.spec?.cron,
      job.spec?.retain,
      job.spec?.groups,
      job.spec?.parameters,
    ]),
    [
      ['backup', '0 2 * * *', 7, ['policy-standard'], { 'full-backup-interval': '4' }],
      ['backup', '0 3 * * 0', 4, ['policy-standard'], { 'full-backup-interval': '1' }],
    ],
  );
  assert.deepEqual(daily.metadata.labels, { [`${P}/managed`]: 'true', [`${P}/source-policy`]: 'standard' });
  assert.equal(await world.job(`backup-${app}-many-0`), undefined, 'no job of its own');
  await world.waitForEvent(world.longhornNs, 'policy-standard-daily', 'PolicyJobCreated', /used by \d+ PVCs? \(/);
  await waitForSeries(
    handle,
    'backup_pvc_managed',
    { job: 'policy-standard-weekly', namespace: app, pvc: 'many-7', policy: 'standard' },
    true,
  );
});

test("a bound policy PVC's volume joins the policy group (the default group left alone)", async () => {
  await world.bind(app, 'many-0', 'vol-many-0', { [DEFAULT_GROUP]: 'enabled' });
  const labels = await world.waitForVolumeLabels('vol-many-0', (l) => l[STANDARD_GROUP] === 'enabled', 'group label');
  assert.equal(labels[DEFAULT_GROUP], 'enabled');
  assert.deepEqual(
    Object.keys(labels).filter((key) => key.startsWith('recurring-job')),
    [DEFAULT_GROUP, STANDARD_GROUP],
  );
  await world.waitForEvent(
    app,
    'many-0',
    'BackupPolicyJoined',
    /policy-standard-daily: backup daily at 02:00 UTC, retain 7/,
  );
});

test('changing the policy in the ConfigMap updates its jobs in place', async () => {
  const before = await world.waitForJob('policy-standard-daily');
  await world.writeConfig(
    world.configYaml(POLICIES_YAML.replace('daily: "0200", retain: 7', 'daily: "0100", retain: 14')),
  );
  const after = await world.waitForJob('policy-standard-daily', (job) => job.spec?.retain === 14, 'retain 14');
  assert.equal(after.spec?.cron, '0 1 * * *');
  assert.equal(after.metadata.uid, before.metadata.uid, 'the same job, patched');
  await world.waitForEvent(world.longhornNs, 'policy-standard-daily', 'PolicyJobUpdated', /spec\.retain: 7 -> 14/);
});

test('removing a policy that PVCs use is refused and changes nothing', async () => {
  const jobsBefore = new Map((await world.jobs()).map((job) => [job.metadata.name, job.metadata.resourceVersion]));
  const frequentOnly = POLICIES_YAML.replace(/ {2}standard:\n(?: {4}-.*\n)+/, '');
  assert.doesNotMatch(frequentOnly, /standard/);
  await world.writeConfig(world.configYaml(frequentOnly));
  await world.waitForEvent(
    world.guardNs,
    'longhorn-backup-guard',
    'InvalidConfiguration',
    new RegExp(`policies\\.standard is removed but 20 PVCs use it \\(${app}/many-0, ${app}/many-1, `),
  );
  assert.match(await scrape(handle), /^backup_config_valid 0$/m);
  assert.ok(handle.config().policies.some((policy) => policy.name === 'standard'));
  await handle.whenIdle();
  const jobsAfter = new Map((await world.jobs()).map((job) => [job.metadata.name, job.metadata.resourceVersion]));
  assert.deepEqual(jobsAfter, jobsBefore);
  await world.writeConfig(world.configYaml(POLICIES_YAML));
  await waitFor('the configuration valid again', async () =>
    /^backup_config_valid 1$/m.test(await scrape(handle)) ? true : undefined,
  );
});

test('opting out removes the group label; a PVC moving from its own job to a policy loses its job', async () => {
  await world.createPvc(app, 'out', onPolicy('out'));
  await world.bind(app, 'out', 'vol-out');
  await world.waitForVolumeLabels('vol-out', (l) => l[STANDARD_GROUP] === 'enabled', 'group label');
  await world.labelPvc(app, 'out', { [`${P}/enabled`]: 'false' });
  await world.waitForVolumeLabels('vol-out', (l) => l[STANDARD_GROUP] === undefined, 'group label removed');

  await world.createPvc(app, 'mover', enabledLabels('mover'));
  await world.bind(app, 'mover', 'vol-mover');
  const own = `recurring-job.longhorn.io/backup-${app}-mover`;
  await world.waitForVolumeLabels('vol-mover', (l) => l[own] === 'enabled', 'own job label');
  await world.labelPvc(app, 'mover', { [`${P}/policy`]: 'standard' });
  await world.waitForVolumeLabels(
    'vol-mover',
    (l) => l[STANDARD_GROUP] === 'enabled' && l[own] === undefined,
    'group label instead of its own job',
  );
  await world.waitForNoJob(`backup-${app}-mover`);
  // And back: its own job again, the group label goes.
  await world.labelPvc(app, 'mover', { [`${P}/policy`]: null });
  await world.waitForVolumeLabels(
    'vol-mover',
    (l) => l[STANDARD_GROUP] === undefined && l[own] === 'enabled',
    'its own job label instead of the group',
  );
});

test('a deleted PVC: its volume keeps the group label through the grace period, then loses it', async () => {
  await world.deletePvc(app, 'many-0');
  const marked = await waitFor('volume marked', async () => {
    const volume = await world.volume('vol-many-0');
    return volume.metadata.annotations?.[`${P}/orphaned-since`] === undefined ? undefined : volume;
  });
  assert.equal(marked.metadata.labels?.[STANDARD_GROUP], 'enabled', 'still backed up during the grace period');
  await world.waitForEvent(world.longhornNs, 'vol-many-0', 'PolicyGroupOrphaned');
  const labels = await world.waitForVolumeLabels('vol-many-0', (l) => l[STANDARD_GROUP] === undefined, 'removed');
  assert.equal(labels[DEFAULT_GROUP], 'enabled', 'the default group is never removed');
  await world.waitForEvent(world.longhornNs, 'vol-many-0', 'OrphanedPolicyGroupRemoved');
  assert.ok(await world.job('policy-standard-daily'), 'the jobs stay while other PVCs use the policy');
});

test("a policy's jobs are removed after the grace period once no PVC uses it", async () => {
  await world.createPvc(app, 'quick', onPolicy('quick', 'frequent'));
  await world.waitForJob('policy-frequent-snapshot-every-1h', (job) => job.spec?.task === 'snapshot');
  await world.waitForJob('policy-frequent-every-6h');
  await world.deletePvc(app, 'quick');
  await world.waitForJob(
    'policy-frequent-every-6h',
    (job) => job.metadata.annotations?.[`${P}/orphaned-since`] !== undefined,
    'marked',
  );
  await world.waitForNoJob('policy-frequent-every-6h');
  await world.waitForNoJob('policy-frequent-snapshot-every-1h');
});

test('archive on a policy PVC: a job of its own holds the record (no volume runs it), the archive completes and outlives the PVC', async () => {
  await world.createPvc(app, 'keep', onPolicy('keep', 'standard'));
  await world.labelPvc(app, 'keep', archiveLabels('2099-12-31'));
  await world.bind(app, 'keep', 'vol-keep');
  const job = `backup-${app}-keep`;
  const labels = await world.waitForVolumeLabels('vol-keep', (l) => l[STANDARD_GROUP] === 'enabled', 'group label');
  assert.equal(labels[`recurring-job.longhorn.io/${job}`], undefined, 'the record job runs nothing');
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
  assert.equal(snapshot.spec?.volume, 'vol-keep');
  assert.equal((await world.job(job))?.metadata.labels?.[`${P}/archive`], 'true');
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
  await setStatus(world, 'backups', backup.metadata.name ?? '', {
    state: 'Completed',
    url: 's3://archive@eu/?backup=b&volume=vol-keep',
    backupCreatedAt: '2026-11-23T12:34:56Z',
  });
  await world.waitForEvent(app, 'keep', 'ArchiveReady', /is safe to delete/);
  await world.deletePvc(app, 'keep');
  await sleep(5_000); // past the grace period: the record job is kept (retained), its archive with it
  await handle.whenIdle();
  assert.ok(await world.job(job), 'the archive job outlives the PVC');
});

test("backup health of a policy PVC: from its volume's backups of the policy's daily job, recorded on its Volume with an Event per transition", async () => {
  const HEALTH = `${P}/health`;
  const summaryOn = async (volume: string) =>
    parseBackupHealthSummary((await world.volume(volume)).metadata.annotations?.[`${P}/health-summary`]);
  await world.bind(app, 'many-1', 'vol-many-1');
  await world.waitForVolumeLabels(
    'vol-many-1',
    (l) => l[STANDARD_GROUP] === 'enabled' && l[HEALTH] === 'healthy',
    'group label, healthy recorded',
  );
  // An hour ago: an Error Backup is dated by its creationTimestamp (whole seconds), which must come after it.
  const hourAgo = new Date(Date.now() - 3600_000);
  await world.playBackup('policy-standard-daily', 'vol-many-1', 'backup-many-1-a', 'Completed', hourAgo);
  await world.playBackup('policy-standard-daily', 'vol-other', 'backup-other-a', 'Completed', hourAgo);
  const series = { job: 'policy-standard-daily', namespace: app, pvc: 'many-1' };
  const waitForValue = (name: string, value: number) =>
    waitFor(`${name} ${value} for many-1`, async () =>
      seriesValue(await scrape(handle), name, series) === value ? true : undefined,
    );
  await waitForValue('backup_completed_count', 1);
  assert.equal(seriesValue(await scrape(handle), 'backup_pvc_stale', series), 0);

  // A Backup names its volume, not its PVC: the PVC bound to that volume is reconciled at once
  // (well inside the 30 s resync, which this waits less than).
  const error = 'failed to get backup target default: cannot connect to nfs://backup.example:/export';
  await world.playBackup('policy-standard-daily', 'vol-many-1', 'backup-many-1-b', 'Error', new Date(), { error });
  await world.playBackup('policy-standard-daily', 'vol-many-1', 'backup-many-1-c', 'Error', new Date(), { error });
  await waitFor(
    'failing recorded on vol-many-1',
    async () => ((await world.volume('vol-many-1')).metadata.labels?.[HEALTH] === 'failing' ? true : undefined),
    20_000,
  );
  const failing = await world.waitForEvent(
    app,
    'many-1',
    'BackupFailing',
    /backup-many-1-c: failed to get backup target/,
  );
  assert.equal(failing.type, 'Warning');
  const summary = await summaryOn('vol-many-1');
  assert.deepEqual([summary?.state, summary?.lastError], ['failing', error]);
  await waitForValue('backup_pvc_failing', 1);

  await world.playBackup('policy-standard-daily', 'vol-many-1', 'backup-many-1-d', 'Completed', new Date());
  await world.waitForVolumeLabels('vol-many-1', (l) => l[HEALTH] === 'healthy', 'healthy again');
  await world.waitForEvent(app, 'many-1', 'BackupHealthy', /backup-many-1-d completed/);
  assert.equal((await summaryOn('vol-many-1'))?.lastSuccessBackup, 'backup-many-1-d');
  // A PVC that leaves the policy takes its record off the Volume.
  await world.labelPvc(app, 'many-1', { [`${P}/enabled`]: 'false' });
  const labels = await world.waitForVolumeLabels('vol-many-1', (l) => l[HEALTH] === undefined, 'record removed');
  assert.equal(labels[STANDARD_GROUP], undefined);
  assert.equal(await summaryOn('vol-many-1'), undefined);
});

test('the steady state: a full resync writes nothing', () => assertResyncWritesNothing(world, handle));
