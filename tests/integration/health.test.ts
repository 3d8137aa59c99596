// Backup health end to end, in the reconciler against a real apiserver. The test plays Longhorn's
// backup controller (it creates Backup objects as a recurring job would, labelled with their job,
// and sets their status through the status subresource) and the PV binder, and moves the
// reconciler's clock forward instead of waiting hours.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseBackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import { mergePatch } from '../harness/patch-content-types.ts';
import type { Backup, BackupState } from '@longhorn-backup-guard/shared/longhorn/types';
import { alertRulesPath } from '../../scripts/generate-prometheus-rule.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { findPromtool, haveTool } from '../tools/tools.ts';
import { enabledLabels, P, ReconcilerWorld, scrape, seriesValue } from './reconciler-fixture.ts';

const HOUR = 3_600_000;
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };
const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, {
  appNamespaces: 1,
  extraConfig: 'backupStaleSlack: 10m\nbackupFailingAfter: 2',
});
const [app = ''] = world.apps;
let clockOffsetMs = 0;
const clock = () => new Date(Date.now() + clockOffsetMs);
const handle = await world.start('health-1', { now: clock });
after(() => world.stopAll());

/** Hourly at minute 0: the window is the next two full hours plus 10 min. */
const hourly = (name: string) => enabledLabels(name, { [`${P}/interval`]: '1', [`${P}/start`]: '0000' });
/** Daily: the clock moves of the hourly test leave these PVCs within their window. */
const daily = (name: string) => enabledLabels(name, { [`${P}/interval`]: '24', [`${P}/start`]: '0000' });

async function setVolumeState(volume: string, state: string): Promise<void> {
  await world.custom.patchNamespacedCustomObjectStatus(
    { ...longhorn, namespace: world.longhornNs, plural: 'volumes', name: volume, body: { status: { state } } },
    mergePatch,
  );
}

/** Longhorn's backup controller's run of `job`, at the test's clock. */
async function playBackup(
  job: string,
  volume: string,
  name: string,
  state: BackupState,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await world.playBackup(job, volume, name, state, clock(), extra);
}

/** An opted-in PVC, bound to its Volume (in `volumeState`, if given) once its job exists; returns the job's name. */
async function managedPvc(name: string, labels: Record<string, string>, volumeState?: string): Promise<string> {
  await world.createPvc(app, name, labels);
  const job = `backup-${app}-${name}`;
  await world.waitForJob(job);
  await world.bind(app, name, `vol-${name}`);
  if (volumeState !== undefined) await setVolumeState(`vol-${name}`, volumeState);
  return job;
}

async function backupNames(): Promise<string[]> {
  const list = (await world.custom.listNamespacedCustomObject({
    ...longhorn,
    namespace: world.longhornNs,
    plural: 'backups',
  })) as { items: Backup[] };
  return list.items.map((backup) => backup.metadata.name ?? '').sort();
}

async function healthLabel(job: string, state: string): Promise<void> {
  await world.waitForJob(job, (j) => j.metadata.labels?.[`${P}/health`] === state, `job ${job} ${state}`);
}

async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  return seriesValue(await scrape(handle), name, labels);
}

async function waitForMetric(name: string, labels: Record<string, string>, value: number): Promise<void> {
  await waitFor(`${name}${JSON.stringify(labels)} = ${value}`, async () =>
    (await metric(name, labels)) === value ? true : undefined,
  );
}

/** The alerts promtool's rule evaluation raises from the reconciler's health series as scraped now. */
async function firingAlerts(
  promtool: string,
  expected: readonly { alertname: string; labels: Record<string, string>; annotations: Record<string, string> }[],
  alertnames: readonly string[],
): Promise<{ code: number; output: string }> {
  const text = await scrape(handle);
  const series = text
    .split('\n')
    .filter((line) => /^backup_pvc_(stale|failing|detached)\{/.test(line))
    .map((line) => {
      const value = line.slice(line.lastIndexOf(' ') + 1);
      return { series: line.slice(0, line.lastIndexOf(' ')), values: `${value}x20` };
    });
  const dir = await mkdtemp(join(tmpdir(), 'lbg-health-'));
  try {
    const tests = alertnames.map((alertname) => ({
      eval_time: '10m',
      alertname,
      exp_alerts: expected
        .filter((alert) => alert.alertname === alertname)
        .map((alert) => ({ exp_labels: alert.labels, exp_annotations: alert.annotations })),
    }));
    const file = join(dir, 'scraped.promtool.yaml');
    await writeFile(
      file,
      JSON.stringify({
        rule_files: [alertRulesPath],
        evaluation_interval: '1m',
        tests: [{ interval: '1m', input_series: series, alert_rule_test: tests }],
      }),
    );
    try {
      const { stdout, stderr } = await promisify(execFile)(promtool, ['test', 'rules', file]);
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof failed.code === 'number' ? failed.code : 1,
        output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
      };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a detached volume reads "not running", never stale: detached label, Event, no stale series', async () => {
  const job = await managedPvc('idle', daily('idle'), 'detached');
  await healthLabel(job, 'detached');
  await world.waitForEvent(app, 'idle', 'BackupNotRunning', /Longhorn volume vol-idle is detached/);
  const labels = { job, namespace: app, pvc: 'idle' };
  await waitForMetric('backup_pvc_detached', labels, 1);
  // Days later, still no backups: detached, not stale.
  clockOffsetMs += 48 * HOUR;
  handle.resync();
  await handle.whenIdle();
  assert.equal(await metric('backup_pvc_stale', labels), 0);
  assert.equal((await world.job(job))?.metadata.labels?.[`${P}/health`], 'detached');
  assert.equal((await world.events(app, 'idle')).filter((event) => event.reason === 'BackupStale').length, 0);
  // Attached again: a fresh window, healthy, with an Event saying so.
  await setVolumeState('vol-idle', 'attached');
  await healthLabel(job, 'healthy');
  await world.waitForEvent(app, 'idle', 'BackupHealthy', /attached again/);
});

test('a PVC bound before it opts in gets its job with the health record in the create: one write, no patch', async () => {
  await world.createPvc(app, 'early', {});
  await world.bind(app, 'early', 'vol-early');
  await setVolumeState('vol-early', 'detached');
  await handle.whenIdle();
  const before = handle.writes.snapshot();
  await world.labelPvc(app, 'early', daily('early'));
  const job = await world.waitForJob(`backup-${app}-early`);
  // The first version of the job, as the create wrote it, already carries the state and summary.
  assert.equal(job.metadata.labels?.[`${P}/health`], 'detached');
  assert.equal(parseBackupHealthSummary(job.metadata.annotations?.[`${P}/health-summary`])?.state, 'detached');
  await world.waitForEvent(app, 'early', 'BackupNotRunning', /Longhorn volume vol-early is detached/);
  await handle.whenIdle();
  const after = handle.writes.snapshot();
  const delta = (write: string) => (after.get(write) ?? 0) - (before.get(write) ?? 0);
  assert.equal(delta('recurringjobs/create'), 1);
  assert.equal(delta('recurringjobs/patch'), 0);
  assert.equal(delta('volumes/patch'), 1);
});

test("Error backups -> failing, with Longhorn's error text in the Event and the job's summary", async () => {
  const job = await managedPvc('db', daily('db'), 'attached');
  const error =
    'failed to get backup target default: cannot connect to nfs://backup.example:/export: connection refused';
  await playBackup(job, 'vol-db', 'backup-db-1', 'Error', { error });
  await playBackup(job, 'vol-db', 'backup-db-2', 'Error', { error });
  await healthLabel(job, 'failing');
  const event = await world.waitForEvent(app, 'db', 'BackupFailing');
  assert.equal(event.type, 'Warning');
  assert.match(
    event.message ?? '',
    /the last 2 backups of RecurringJob .* failed; the newest, backup-db-2: failed to get backup target default: cannot connect/,
  );
  const summary = parseBackupHealthSummary((await world.job(job))?.metadata.annotations?.[`${P}/health-summary`]);
  assert.equal(summary?.state, 'failing');
  assert.equal(summary?.lastError, error);
  const labels = { job, namespace: app, pvc: 'db' };
  await waitForMetric('backup_pvc_failing', labels, 1);
  assert.ok((await metric('backup_last_failure_timestamp_seconds', labels)) !== undefined);
  assert.equal(await metric('backup_last_success_timestamp_seconds', labels), undefined);
  // A completed run ends it.
  await playBackup(job, 'vol-db', 'backup-db-3', 'Completed');
  await healthLabel(job, 'healthy');
  await world.waitForEvent(app, 'db', 'BackupHealthy', /backup-db-3 completed/);
  await waitForMetric('backup_pvc_failing', labels, 0);
});

test('backups on schedule stay healthy; none past the window -> stale (label, Event, metric, alert); a new one -> healthy again', async (t) => {
  // The job's creationTimestamp is the apiserver's: start from the real time.
  clockOffsetMs = 0;
  const job = await managedPvc('data', hourly('data'), 'attached');
  const labels = { job, namespace: app, pvc: 'data' };
  await playBackup(job, 'vol-data', 'backup-data-1', 'Completed');
  await healthLabel(job, 'healthy');
  await waitForMetric('backup_completed_count', labels, 1);
  const recordedAt = (await world.job(job))?.metadata.resourceVersion;

  // Hourly runs for three hours, each completing: healthy throughout, the job not written again.
  for (let run = 2; run <= 4; run++) {
    clockOffsetMs += HOUR;
    await playBackup(job, 'vol-data', `backup-data-${run}`, 'Completed');
    await waitForMetric('backup_completed_count', labels, run);
    handle.resync();
    await handle.whenIdle();
    assert.equal(await metric('backup_pvc_stale', labels), 0);
  }
  assert.equal(
    (await world.job(job))?.metadata.resourceVersion,
    recordedAt,
    'a backup on schedule changes nothing on the job',
  );
  assert.equal((await world.events(app, 'data')).filter((event) => event.reason === 'BackupStale').length, 0);

  // Three hours without a completed backup (one stuck in progress): two runs plus the slack passed.
  await playBackup(job, 'vol-data', 'backup-data-5', 'InProgress');
  clockOffsetMs += 3 * HOUR;
  handle.resync();
  await healthLabel(job, 'stale');
  const stale = await world.waitForEvent(app, 'data', 'BackupStale');
  assert.equal(stale.type, 'Warning');
  assert.match(
    stale.message ?? '',
    /no completed backup since backup-data-4 of .*: the runs scheduled at .* produced none; a backup is in progress/,
  );
  await waitForMetric('backup_pvc_stale', labels, 1);
  const summary = parseBackupHealthSummary((await world.job(job))?.metadata.annotations?.[`${P}/health-summary`]);
  assert.equal(summary?.lastSuccessBackup, 'backup-data-4');

  const promtool = await findPromtool();
  if (haveTool(t, 'promtool', promtool)) {
    // The shipped rules on the series as scraped: BackupStale for this PVC only (the detached one stays silent).
    const pvc = `${app}/data`;
    const annotations = {
      summary: `No recent backup of PVC ${pvc}`,
      description: `No backup of PVC ${pvc} (RecurringJob ${job}) completed within its last two scheduled runs plus backupStaleSlack. \`kubectl describe pvc -n ${app} data\` shows since when.`,
      runbook_url: 'https://github.com/vluwte/longhorn-backup-guard/blob/main/manifests/README.md#runbook-backupstale',
    };
    const { code, output } = await firingAlerts(
      promtool,
      [{ alertname: 'BackupStale', labels: { severity: 'critical', ...labels }, annotations }],
      ['BackupStale', 'BackupFailing'],
    );
    assert.equal(code, 0, output);
  }

  // The stuck run completes: healthy again, with an Event.
  const completedAt = clock();
  await world.custom.patchNamespacedCustomObjectStatus(
    {
      ...longhorn,
      namespace: world.longhornNs,
      plural: 'backups',
      name: 'backup-data-5',
      body: { status: { state: 'Completed', backupCreatedAt: completedAt.toISOString() } },
    },
    mergePatch,
  );
  await healthLabel(job, 'healthy');
  await world.waitForEvent(app, 'data', 'BackupHealthy', /backup-data-5 completed/);
  await waitForMetric('backup_pvc_stale', labels, 0);
  assert.equal(await metric('backup_last_success_timestamp_seconds', labels), Math.floor(completedAt.getTime() / 1000));
});

test('Backups of a deleted job are untracked in the audit; nothing is deleted', async () => {
  const job = await managedPvc('old', hourly('old'));
  await playBackup(job, 'vol-old', 'backup-old-1', 'Completed');
  await playBackup(job, 'vol-old', 'backup-old-2', 'Completed');
  await waitForMetric('backup_completed_count', { job, namespace: app, pvc: 'old' }, 2);
  assert.equal(await metric('backup_untracked_backups', { job }), undefined);
  // Opting out deletes the job; its backups stay, now untracked.
  await world.labelPvc(app, 'old', { [`${P}/enabled`]: 'false' });
  await world.waitForNoJob(job);
  await waitForMetric('backup_untracked_backups', { job }, 2);
  assert.ok(
    (await backupNames()).includes('backup-old-1') && (await backupNames()).includes('backup-old-2'),
    'the product never deletes a Backup',
  );
  assert.equal(
    await metric('backup_completed_count', { job, namespace: app, pvc: 'old' }),
    undefined,
    "the PVC's health series went with its job",
  );
});
