// The reconciler with nothing but the shipped RBAC (manifests/core/reconciler-rbac.yaml, moved to
// this test's namespaces): every write of the label-driven path and of the archive workflow is
// allowed, so a missing verb (the seed's bug 4: no create on snapshots and backups) fails here
// rather than in a cluster.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { useTestCluster } from '../harness/test-cluster.ts';
import { shippedRbac } from '../harness/shipped-rbac.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld, enabledLabels, waitForSeries } from './reconciler-fixture.ts';
import { annotationOf, archivingPvc, setStatus, waitForArchiveObject } from './archive-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const jobOf = (name: string) => `backup-${app}-${name}`;
const SERVICE_ACCOUNT = 'longhorn-backup-guard-reconciler';
const FIELD_MANAGER = 'longhorn-backup-guard-reconciler';

const clusterName = `lbg-reconciler-${randomBytes(4).toString('hex')}`;
const rbac = {
  clusterNames: [clusterName],
  // The only named object in the reconciler's rules is its Lease.
  yaml: shippedRbac({
    manifest: 'manifests/core/reconciler-rbac.yaml',
    clusterName,
    guardNamespace: world.guardNs,
    longhornNamespace: world.longhornNs,
    renameResource: () => world.leaseName,
  }),
};
const applied = await cluster.kubectl(['apply', '-f', '-'], { input: rbac.yaml });
assert.equal(applied.code, 0, applied.stderr);
after(async () => {
  await world.stopAll();
  for (const name of rbac.clusterNames) {
    await cluster.kubectl(['delete', 'clusterrolebinding', name, '--ignore-not-found']);
    await cluster.kubectl(['delete', 'clusterrole', name, '--ignore-not-found']);
  }
});

const identity = `system:serviceaccount:${world.guardNs}:${SERVICE_ACCOUNT}`;
const asReconciler = cluster.impersonatingKubeConfig(identity);
const handle = await world.start('rbac-replica', { kubeConfig: asReconciler });

/** `kubectl auth can-i` for the reconciler's identity: 'yes' or 'no' (anything else is an error). */
async function canI(verb: string, resource: string, namespace: string): Promise<string> {
  const result = await cluster.kubectl(['auth', 'can-i', verb, resource, '-n', namespace], { as: identity });
  return result.stdout.trim() || result.stderr.trim();
}

/** Whether the reconciler's field manager created the object (its managedFields say who wrote it). */
function createdByReconciler(object: Snapshot | Backup): boolean {
  const { managedFields = [] } = object.metadata as { managedFields?: { manager?: string; operation?: string }[] };
  return managedFields.some((entry) => entry.manager === FIELD_MANAGER && entry.operation === 'Update');
}

test('the shipped RBAC is enough for the whole label-driven path', async () => {
  // The identity really is confined: it may not delete a Volume.
  await world.createVolume('vol-probe');
  await assert.rejects(
    asReconciler.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: 'longhorn.io',
      version: 'v1beta2',
      namespace: world.longhornNs,
      plural: 'volumes',
      name: 'vol-probe',
    }),
    (error: unknown) => error instanceof ApiException && error.code === 403,
  );
  await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);

  // Create a job, label the volume, label a source-of-truth PVC, record Events.
  await world.createPvc(app, 'data', { ...enabledLabels('data'), 'recurring-job.longhorn.io/source': 'enabled' });
  await world.bind(app, 'data', 'vol-data');
  await world.waitForJob(jobOf('data'));
  await world.waitForVolumeLabels(
    'vol-data',
    (labels) => labels[`recurring-job.longhorn.io/${jobOf('data')}`] === 'enabled',
    'the volume label',
  );
  await waitFor('the PVC label', async () =>
    (await world.getPvc(app, 'data')).metadata?.labels?.[`recurring-job.longhorn.io/${jobOf('data')}`] === 'enabled'
      ? true
      : undefined,
  );
  await world.waitForEvent(app, 'data', 'BackupJobCreated');

  // Patch a job.
  await world.labelPvc(app, 'data', { [`${P}/retain`]: '3' });
  await world.waitForJob(jobOf('data'), (job) => job.spec?.retain === 3, 'the patched job');

  // Annotate an orphan, record an Event in the Longhorn namespace, delete the job.
  await world.deletePvc(app, 'data');
  await world.waitForEvent(world.longhornNs, jobOf('data'), 'BackupJobOrphaned');
  await world.waitForNoJob(jobOf('data'));
  await waitForSeries(handle, 'backup_pvc_orphaned', { job: jobOf('data'), namespace: app, pvc: 'data' }, false);
  assert.ok(handle.writes.total() >= 6);
});

test('the shipped RBAC is enough for the archive workflow: the reconciler creates the Snapshot and the Backup, and may delete neither', async () => {
  // What the seed's ClusterRole lacked, and what it must never have (deleting a Backup CR deletes the backup).
  for (const resource of ['snapshots.longhorn.io', 'backups.longhorn.io']) {
    assert.equal(await canI('create', resource, world.longhornNs), 'yes', `create ${resource}`);
    assert.equal(await canI('delete', resource, world.longhornNs), 'no', `delete ${resource}`);
    assert.equal(await canI('create', resource, app), 'no', `create ${resource} outside the Longhorn namespace`);
  }
  await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);

  const job = await archivingPvc(world, app, 'archived', 'vol-archived', '2099-12-31');
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
  assert.equal(snapshot.spec?.volume, 'vol-archived');
  assert.ok(
    createdByReconciler(snapshot),
    `the Snapshot was written by ${FIELD_MANAGER}: ${JSON.stringify(snapshot.metadata)}`,
  );
  await world.waitForEvent(app, 'archived', 'ArchiveSnapshotCreated');

  // Longhorn's part, as admin: the Snapshot is ready, then the Backup completes.
  await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
  const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
  assert.equal(backup.spec?.snapshotName, snapshot.metadata.name);
  assert.ok(
    createdByReconciler(backup),
    `the Backup was written by ${FIELD_MANAGER}: ${JSON.stringify(backup.metadata)}`,
  );
  const url = 's3://archive@eu/?backup=b&volume=vol-archived';
  await setStatus(world, 'backups', backup.metadata.name ?? '', {
    state: 'Completed',
    url,
    backupCreatedAt: '2026-11-23T12:34:56Z',
  });

  // Completion recorded on the job, reported as a series and an Event.
  const done = await world.waitForJob(
    job,
    (j) => annotationOf(j, 'archive-backup') !== undefined,
    'the completion on the job',
  );
  assert.equal(annotationOf(done, 'archive-backup'), backup.metadata.name);
  assert.equal(annotationOf(done, 'archive-backup-url'), url);
  assert.equal(annotationOf(done, 'archive-completed-at'), '2026-11-23T12:34:56Z');
  await waitForSeries(handle, 'backup_archive_ready', { job, namespace: app, pvc: 'archived' }, true);
  const ready = await world.waitForEvent(app, 'archived', 'ArchiveReady', /safe to delete/);
  assert.equal(ready.type, 'Normal');
  const writes = handle.writes.snapshot();
  assert.equal(writes.get('snapshots/create'), 1);
  assert.equal(writes.get('backups/create'), 1);
  assert.deepEqual(
    (await world.events(app, 'archived')).filter((event) => event.reason === 'BackupWriteRefused'),
    [],
    'no write was refused',
  );
});
