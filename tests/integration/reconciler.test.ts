// The reconciler against a real apiserver: the seed's shakeout scenarios and its four bugs, the
// decisions on conflicts, orphans and Longhorn's default group, Events and metrics. The test plays
// Longhorn and the PV binder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
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
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
// Namespace `<app>-b`: its name `c` makes the same job name as namespace <app>'s name `b-c`.
const appB = `${app}-b`;
await world.core.createNamespace({ body: { metadata: { name: appB } } });
world.apps.push(appB);
await world.writeConfig(world.configYaml(''));
const handle = await world.start();

/** Waits until PVC `namespace/pvc` has (present) or no longer has the `condition` violation series. */
const waitForViolation = (namespace: string, pvc: string, condition: string, present: boolean) =>
  waitForSeries(handle, 'backup_pvc_violation', { condition, namespace, pvc }, present);
after(() => world.stopAll());

const jobOf = (name: string, namespace = app) => `backup-${namespace}-${name}`;
const jobLabel = (name: string, namespace = app) => `recurring-job.longhorn.io/${jobOf(name, namespace)}`;
const DEFAULT_GROUP = 'recurring-job-group.longhorn.io/default';

test('a new PVC gets its job at once and its volume label once bound, on the Volume spec.volumeName names (seed bug 1, restored volume)', async () => {
  await world.createPvc(app, 'data', enabledLabels('data'));
  const job = await world.waitForJob(jobOf('data'));
  assert.equal(job.spec?.task, 'backup');
  assert.equal(job.spec?.cron, '30 0,4,8,12,16,20 * * *');
  assert.equal(job.spec?.retain, 8);
  assert.equal(job.spec?.concurrency, 1);
  assert.deepEqual(job.spec?.parameters, { 'full-backup-interval': '4' });
  assert.deepEqual(job.metadata.labels, {
    [`${P}/managed`]: 'true',
    [`${P}/source-namespace`]: app,
    [`${P}/source-pvc`]: 'data',
  });
  assert.deepEqual(
    (job.metadata as { managedFields?: { manager: string }[] }).managedFields?.map((field) => field.manager),
    ['longhorn-backup-guard-reconciler'],
  );
  await world.waitForEvent(app, 'data', 'BackupJobCreated', new RegExp(`created RecurringJob ${jobOf('data')}`));
  await world.waitForEvent(app, 'data', 'WaitingForVolume', /not bound yet/);
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('data'), namespace: app, pvc: 'data' }, true);

  // A restored volume keeps its own name, unrelated to the PVC's UID; Longhorn gave it the default group.
  await world.bind(app, 'data', 'grafana-restored', { [DEFAULT_GROUP]: 'enabled' });
  const labels = await world.waitForVolumeLabels(
    'grafana-restored',
    (l) => l[jobLabel('data')] === 'enabled',
    'the job label on the volume',
  );
  assert.equal(labels[DEFAULT_GROUP], 'enabled', 'the default group is left alone');
  const labelled = await world.waitForEvent(app, 'data', 'BackupVolumeLabelled');
  assert.equal(labelled.type, 'Normal');
  assert.equal(labelled.reportingComponent, 'longhorn-backup-guard/reconciler');
});

test('start 2100 every 6 h fires at 03, 09, 15, 21 (HHMM, seed bug 2; never 21/6)', async () => {
  await world.createPvc(app, 'night', enabledLabels('night', { [`${P}/start`]: '2100', [`${P}/interval`]: '6' }));
  const job = await world.waitForJob(jobOf('night'));
  assert.equal(job.spec?.cron, '0 3,9,15,21 * * *');
});

test('a changed label patches the job once, only the difference', async () => {
  const before = await world.waitForJob(jobOf('night'));
  await handle.whenIdle();
  const patchesBefore = handle.writes.snapshot().get('recurringjobs/patch') ?? 0;
  const createsBefore = handle.writes.snapshot().get('recurringjobs/create') ?? 0;
  await world.labelPvc(app, 'night', { [`${P}/retain`]: '14' });
  const after = await world.waitForJob(jobOf('night'), (job) => job.spec?.retain === 14);
  assert.equal(after.spec?.cron, before.spec?.cron);
  assert.equal(after.metadata.uid, before.metadata.uid);
  await handle.whenIdle();
  assert.equal((handle.writes.snapshot().get('recurringjobs/patch') ?? 0) - patchesBefore, 1);
  assert.equal(handle.writes.snapshot().get('recurringjobs/create') ?? 0, createsBefore);
  await world.waitForEvent(app, 'night', 'BackupJobUpdated', /spec\.retain: 8 -> 14/);
});

test('a rename removes the old job and volume label and brings the new ones', async () => {
  await world.createPvc(app, 'rename', enabledLabels('old'));
  await world.bind(app, 'rename', 'vol-rename');
  await world.waitForVolumeLabels('vol-rename', (l) => l[jobLabel('old')] === 'enabled', 'old label');
  await world.labelPvc(app, 'rename', { [`${P}/name`]: 'new' });
  await world.waitForJob(jobOf('new'));
  await world.waitForNoJob(jobOf('old'));
  const labels = await world.waitForVolumeLabels(
    'vol-rename',
    (l) => l[jobLabel('new')] === 'enabled' && l[jobLabel('old')] === undefined,
    'new label only',
  );
  assert.equal(labels[jobLabel('old')], undefined);
  // The writes of the rename are one story, told in one Event under its telling reason.
  const renamed = await world.waitForEvent(
    app,
    'rename',
    'BackupJobRenamed',
    new RegExp(`deleted RecurringJob ${jobOf('old')}`),
  );
  assert.match(
    renamed.message ?? '',
    new RegExp(
      `^created RecurringJob ${jobOf('new')} .*; labelled Longhorn volume vol-rename .*; the PVC's job is now ${jobOf('new')}`,
    ),
  );
  assert.equal(
    (await world.events(app, 'rename')).filter((event) => event.reason === 'BackupJobCreated').length,
    1,
    'only the first creation, before the rename',
  );
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('old'), namespace: app, pvc: 'rename' }, false);
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('new'), namespace: app, pvc: 'rename' }, true);
});

test("opting out removes our volume label and the job; Longhorn's default group stays on the volume", async () => {
  await world.createPvc(app, 'optout', enabledLabels('optout'));
  await world.bind(app, 'optout', 'vol-optout', { [DEFAULT_GROUP]: 'enabled' });
  await world.waitForVolumeLabels('vol-optout', (l) => l[jobLabel('optout')] === 'enabled', 'job label');
  await world.labelPvc(app, 'optout', { [`${P}/enabled`]: 'false' });
  await world.waitForNoJob(jobOf('optout'));
  const labels = await world.waitForVolumeLabels(
    'vol-optout',
    (l) => l[jobLabel('optout')] === undefined,
    'job label removed',
  );
  assert.equal(labels[DEFAULT_GROUP], 'enabled');
  await world.waitForEvent(app, 'optout', 'BackupDisabled');
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('optout'), namespace: app, pvc: 'optout' }, false);
  assert.equal(seriesValue(await scrape(handle), 'backup_pvc_violation', { namespace: app, pvc: 'optout' }), undefined);
});

test('duplicate names: both PVCs are reported naming the other, the second gets no job, until resolved', async () => {
  await world.createPvc(app, 'dup-a', enabledLabels('dup'));
  await world.createPvc(app, 'dup-b', enabledLabels('dup'));
  await waitForViolation(app, 'dup-a', 'duplicate_name', true);
  await waitForViolation(app, 'dup-b', 'duplicate_name', true);
  await world.waitForEvent(app, 'dup-a', 'DuplicateBackupName', /also used by PVC "dup-b"/);
  const event = await world.waitForEvent(app, 'dup-b', 'DuplicateBackupName', /also used by PVC "dup-a"/);
  assert.equal(event.type, 'Warning');
  await handle.whenIdle();
  // dup-a may have got its job before dup-b appeared; that job is left as it is, dup-b gets none.
  const existing = await world.job(jobOf('dup'));
  assert.notEqual(existing?.metadata.labels?.[`${P}/source-pvc`], 'dup-b');
  await sleep(300);
  assert.equal((await world.job(jobOf('dup')))?.metadata.resourceVersion, existing?.metadata.resourceVersion);

  await world.labelPvc(app, 'dup-b', { [`${P}/name`]: 'dup-b' });
  await world.waitForJob(jobOf('dup'), (job) => job.metadata.labels?.[`${P}/source-pvc`] === 'dup-a');
  await world.waitForJob(jobOf('dup-b'));
  await waitForViolation(app, 'dup-a', 'duplicate_name', false);
  await waitForViolation(app, 'dup-b', 'duplicate_name', false);
});

test('a manual job is never touched; a PVC wanting its name gets job_name_conflict', async () => {
  const manual = await world.createJob(jobOf('manual'), { team: 'ops' });
  await world.createPvc(app, 'manual', enabledLabels('manual'));
  await waitForViolation(app, 'manual', 'job_name_conflict', true);
  await world.waitForEvent(app, 'manual', 'BackupJobNameConflict', /was not created by longhorn-backup-guard/);
  await handle.whenIdle();
  assert.equal((await world.job(jobOf('manual')))?.metadata.resourceVersion, manual.metadata.resourceVersion);

  // Once the manual job is gone, the PVC gets its own.
  await world.custom.deleteNamespacedCustomObject({
    group: 'longhorn.io',
    version: 'v1beta2',
    namespace: world.longhornNs,
    plural: 'recurringjobs',
    name: jobOf('manual'),
  });
  await world.waitForJob(
    jobOf('manual'),
    (job) => job.metadata.labels?.[`${P}/source-pvc`] === 'manual',
    "the PVC's own job",
  );
  await waitForViolation(app, 'manual', 'job_name_conflict', false);
});

test('backup-<a>-b-c is both <a>/b-c and <a>-b/c: the second is reported, the first keeps its job', async () => {
  await world.createPvc(appB, 'first', enabledLabels('c'));
  const job = await world.waitForJob(jobOf('c', appB));
  assert.equal(jobOf('c', appB), jobOf('b-c', app));
  await world.createPvc(app, 'second', enabledLabels('b-c'));
  await waitForViolation(app, 'second', 'job_name_conflict', true);
  await world.waitForEvent(
    app,
    'second',
    'BackupJobNameConflict',
    new RegExp(`already backs up PVC "first" in namespace "${appB}"`),
  );
  await handle.whenIdle();
  assert.equal((await world.job(job.metadata.name ?? ''))?.metadata.resourceVersion, job.metadata.resourceVersion);
});

test("a PVC that is Longhorn's source of truth (recurring-job.longhorn.io/source) carries the job label too", async () => {
  await world.createPvc(app, 'src', { ...enabledLabels('src'), 'recurring-job.longhorn.io/source': 'enabled' });
  await waitFor('job label on the PVC', async () =>
    (await world.getPvc(app, 'src')).metadata?.labels?.[jobLabel('src')] === 'enabled' ? true : undefined,
  );
});

test('a PVC that is not Longhorn-backed is left alone; its backup labels get a warning; a Longhorn StorageClass of its name brings it in', async () => {
  const lateClass = `${world.storageClass}-late`;
  await world.createPvc(app, 'nfs', enabledLabels('nfs'), lateClass);
  await world.waitForEvent(app, 'nfs', 'BackupLabelsIgnored', /not Longhorn-backed/);
  await handle.whenIdle();
  assert.equal(await world.job(jobOf('nfs')), undefined);
  assert.equal(seriesValue(await scrape(handle), 'backup_pvc_violation', { namespace: app, pvc: 'nfs' }), undefined);

  await world.storage.createStorageClass({
    body: { metadata: { name: lateClass }, provisioner: 'driver.longhorn.io' },
  });
  after(() => world.storage.deleteStorageClass({ name: lateClass }));
  await world.waitForJob(jobOf('nfs'));
});

test('violations appear, and clear when the labels are fixed', async () => {
  await world.createPvc(app, 'unlabelled', {});
  await waitForViolation(app, 'unlabelled', 'missing_enabled_label', true);
  await world.waitForEvent(
    app,
    'unlabelled',
    'MissingBackupLabels',
    new RegExp(`${P.replaceAll('.', '\\.')}/enabled is missing`),
  );
  await world.labelPvc(app, 'unlabelled', {
    [`${P}/enabled`]: 'true',
    [`${P}/name`]: 'unlabelled',
    [`${P}/interval`]: '5',
  });
  await waitForViolation(app, 'unlabelled', 'invalid_interval', true);
  await waitForViolation(app, 'unlabelled', 'missing_enabled_label', false);
  await world.labelPvc(app, 'unlabelled', { [`${P}/interval`]: '6' });
  await waitForViolation(app, 'unlabelled', 'invalid_interval', false);
  await waitForSeries(
    handle,
    'backup_pvc_managed',
    { job: jobOf('unlabelled'), namespace: app, pvc: 'unlabelled' },
    true,
  );
});

test("a deleted PVC's job is marked orphaned, reported (metric, Event on the job), then removed after the grace period", async () => {
  await world.createPvc(app, 'gone', enabledLabels('gone'));
  await world.waitForJob(jobOf('gone'));
  await world.deletePvc(app, 'gone');
  const marked = await world.waitForJob(
    jobOf('gone'),
    (job) => job.metadata.annotations?.[`${P}/orphaned-since`] !== undefined,
    'orphaned-since annotation',
  );
  assert.match(marked.metadata.annotations?.[`${P}/orphaned-since`] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await waitForSeries(handle, 'backup_pvc_orphaned', { job: jobOf('gone'), namespace: app, pvc: 'gone' }, true);
  const orphaned = await world.waitForEvent(world.longhornNs, jobOf('gone'), 'BackupJobOrphaned', /grace period of 4s/);
  assert.equal(orphaned.involvedObject.kind, 'RecurringJob');
  assert.equal(orphaned.type, 'Warning');
  await world.waitForNoJob(jobOf('gone'));
  await world.waitForEvent(world.longhornNs, jobOf('gone'), 'OrphanedBackupJobDeleted');
  await waitForSeries(handle, 'backup_pvc_orphaned', { job: jobOf('gone'), namespace: app, pvc: 'gone' }, false);
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('gone'), namespace: app, pvc: 'gone' }, false);
});

test('a deleted PVC whose job carries archive labels keeps its job: retained, not orphaned (seed bug 3)', async () => {
  await world.createPvc(
    app,
    'keep',
    enabledLabels('keep', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2030-01-01' }),
  );
  await world.waitForJob(
    jobOf('keep'),
    (job) => job.metadata.labels?.[`${P}/archive`] === 'true',
    'archive labels on the job at once',
  );
  await world.deletePvc(app, 'keep');
  await world.waitForEvent(world.longhornNs, jobOf('keep'), 'BackupJobRetained');
  await sleep(5_000); // longer than the grace period
  const job = await world.job(jobOf('keep'));
  assert.ok(job, 'the job is kept');
  assert.equal(job.metadata.annotations?.[`${P}/orphaned-since`], undefined);
  assert.equal(seriesValue(await scrape(handle), 'backup_pvc_orphaned', { job: jobOf('keep') }), undefined);
});

test('a PVC restored under the same name before the grace period ends takes its job back', async () => {
  await world.createPvc(app, 'back', enabledLabels('back'));
  const job = await world.waitForJob(jobOf('back'));
  await world.deletePvc(app, 'back');
  await world.waitForJob(
    jobOf('back'),
    (j) => j.metadata.annotations?.[`${P}/orphaned-since`] !== undefined,
    'orphaned',
  );
  await world.createPvc(app, 'back', enabledLabels('back'));
  const adopted = await world.waitForJob(
    jobOf('back'),
    (j) => j.metadata.annotations?.[`${P}/orphaned-since`] === undefined,
    'mark cleared',
  );
  assert.equal(adopted.metadata.uid, job.metadata.uid);
  await sleep(4_500);
  assert.ok(await world.job(jobOf('back')), 'still there after the grace period');
  await waitForSeries(handle, 'backup_pvc_orphaned', { job: jobOf('back'), namespace: app, pvc: 'back' }, false);
});

test('the steady state: a full resync writes nothing and records no Event', () =>
  assertResyncWritesNothing(world, handle));

test('/healthz and /readyz answer', async () => {
  assert.equal((await fetch(`http://127.0.0.1:${handle.metricsPort}/healthz`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${handle.metricsPort}/readyz`)).status, 200);
  assert.ok(handle.isLeader());
});
