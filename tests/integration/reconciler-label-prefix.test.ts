// A changed labelPrefix, and the migration the BackupPVCNameConflict runbook gives for it
// (its copy_prefix shell function, taken from manifests/README.md and run with kubectl and jq
// against the real apiserver): PVCs relabelled but jobs not yet make every job look manual
// (job_name_conflict); once the jobs and the archive objects carry the new prefix too, every PVC
// is managed again, a completed archive stays ready, one in flight goes on with its Snapshot, and
// nothing else is written.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { repoRoot } from '../harness/paths.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld, enabledLabels, scrape, seriesValue, waitForSeries } from './reconciler-fixture.ts';
import { archiveNames, archivingPvc, setStatus, waitForArchiveObject } from './archive-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const handle = await world.start('prefix-1');
after(() => world.stopAll());

const NEW = 'backup.example.org';

async function runbookCopyPrefix(): Promise<string> {
  const readme = await readFile(join(repoRoot, 'manifests', 'README.md'), 'utf8');
  const runbook = readme.slice(readme.indexOf('### Runbook: BackupPVCNameConflict'));
  const fn = /^copy_prefix\(\) \{[\s\S]*?^\}$/m.exec(runbook)?.[0];
  assert.ok(fn, 'the runbook defines copy_prefix');
  return fn;
}

/** The runbook's `copy_prefix <args>` with OLD=P and NEW. */
async function copyPrefix(...args: string[]): Promise<void> {
  const script = `${await runbookCopyPrefix()}\ncopy_prefix "$@"`;
  const env = {
    ...process.env,
    OLD: P,
    NEW,
    KUBECONFIG: cluster.info.kubeconfigPath,
    PATH: `${dirname(cluster.info.kubectlPath)}:${process.env.PATH ?? ''}`,
  };
  await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script, 'copy_prefix', ...args], { env });
}

const violation = async (condition: string, pvc: string) =>
  seriesValue(await scrape(handle), 'backup_pvc_violation', { condition, namespace: app, pvc });

test('labelPrefix changed: jobs under the old prefix look manual until the runbook copies their labels and annotations', async () => {
  await world.createPvc(app, 'db', enabledLabels('db'));
  await world.bind(app, 'db', 'vol-db');
  const dbJob = `backup-${app}-db`;
  await waitForSeries(handle, 'backup_pvc_managed', { job: dbJob, namespace: app, pvc: 'db' }, true);
  const keepJob = await archivingPvc(world, app, 'keep', 'vol-keep', '2099-12-31');
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', keepJob, 1);
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitForArchiveObject<Backup>(world, 'backups', keepJob, 1);
  await setStatus(world, 'backups', backup.metadata.name ?? '', { state: 'Completed', url: 's3://keep' });
  await waitForSeries(handle, 'backup_archive_ready', { job: keepJob, namespace: app, pvc: 'keep' }, true);
  const movingJob = await archivingPvc(world, app, 'moving', 'vol-moving', '2099-12-31');
  const inFlight = await waitForArchiveObject<Snapshot>(world, 'snapshots', movingJob, 1);
  await world.cluster.kubectl(['label', 'namespace', app, `${P}/default-enabled=true`]);

  await copyPrefix('persistentvolumeclaims', '-n', app);
  await copyPrefix('namespaces', '--field-selector', `metadata.name=${app}`);
  assert.equal((await world.getPvc(app, 'db')).metadata?.labels?.[`${NEW}/name`], 'db');
  const namespace = await world.core.readNamespace({ name: app });
  assert.equal(namespace.metadata?.labels?.[`${NEW}/default-enabled`], 'true', 'a cluster-scoped object too');
  await world.writeConfig(world.configYaml(`labelPrefix: ${NEW}`));
  await waitFor('the new prefix in force', async () => (handle.config().labelPrefix === NEW ? true : undefined));
  await waitFor('job_name_conflict on both PVCs', async () =>
    (await violation('job_name_conflict', 'db')) === 1 && (await violation('job_name_conflict', 'keep')) === 1
      ? true
      : undefined,
  );

  await copyPrefix('recurringjobs.longhorn.io', '-n', world.longhornNs);
  await copyPrefix('snapshots.longhorn.io', '-n', world.longhornNs, '-l', `${P}/archive-job`);
  await copyPrefix('backups.longhorn.io', '-n', world.longhornNs, '-l', `${P}/archive-job`);
  await waitForSeries(handle, 'backup_pvc_managed', { job: dbJob, namespace: app, pvc: 'db' }, true);
  await waitForSeries(handle, 'backup_archive_ready', { job: keepJob, namespace: app, pvc: 'keep' }, true);
  assert.equal(await violation('job_name_conflict', 'db'), undefined);
  assert.equal(await violation('job_name_conflict', 'keep'), undefined);
  assert.equal(
    (await world.job(keepJob))?.metadata.annotations?.[`${NEW}/archive-backup`],
    backup.metadata.name,
    'the archive record moved along',
  );
  assert.deepEqual(await archiveNames(world, 'snapshots', keepJob), [snapshot.metadata.name], 'no new archive attempt');
  await setStatus(world, 'snapshots', inFlight.metadata.name ?? '', { readyToUse: true });
  const next = await waitFor('the Backup of the archive in flight, made under the new prefix', async () => {
    const list = (await world.custom.listNamespacedCustomObject({
      group: 'longhorn.io',
      version: 'v1beta2',
      namespace: world.longhornNs,
      plural: 'backups',
      labelSelector: `${NEW}/archive-job=${movingJob}`,
    })) as { items: Backup[] };
    return list.items[0];
  });
  assert.equal(next.metadata.name, inFlight.metadata.name, 'the archive in flight goes on from its Snapshot');
  assert.deepEqual(await archiveNames(world, 'snapshots', movingJob), [inFlight.metadata.name]);
  await setStatus(world, 'backups', next.metadata.name ?? '', { state: 'Completed', url: 's3://moving' });
  await waitForSeries(handle, 'backup_archive_ready', { job: movingJob, namespace: app, pvc: 'moving' }, true);

  await handle.whenIdle();
  const before = handle.writes.total();
  handle.resync();
  await handle.whenIdle();
  assert.equal(handle.writes.total(), before, 'in sync under the new prefix: nothing to write');
});
