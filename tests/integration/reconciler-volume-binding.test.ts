// Tenant safety (issue 11, item 1): a PVC gets only the Longhorn Volume it is bound to. The
// reconciler resolves PVC -> PV -> Volume as Kubernetes binds them (the PVC Bound, the PV's
// claimRef naming this PVC's namespace, name and uid, the PV a Longhorn CSI volume whose
// volumeHandle names the Volume); spec.volumeName alone, which any user can write, proves nothing.
// The test plays the PV binder and Longhorn.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from '../harness/patch-content-types.ts';
import type { Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { useTestCluster } from '../harness/test-cluster.ts';
import { archiveLabels, archiveObjects } from './archive-fixture.ts';
import { P, ReconcilerWorld, enabledLabels, scrape, seriesValue, waitForSeries } from './reconciler-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 2 });
const [victimNs = '', attackerNs = ''] = world.apps;
const handle = await world.start();
after(() => world.stopAll());

const jobOf = (namespace: string, name: string) => `backup-${namespace}-${name}`;
const jobLabel = (namespace: string, name: string) => `recurring-job.longhorn.io/${jobOf(namespace, name)}`;
const VIOLATION = 'volume_not_bound_to_pvc';

/** Every key has been reconciled on the state as it is now (twice, so Events of the first pass are written). */
async function settled(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    handle.resync();
    await handle.whenIdle();
  }
}

async function assertUntouched(volume: string, attacker: { namespace: string; name: string }): Promise<void> {
  await settled();
  const labels = (await world.volume(volume)).metadata.labels ?? {};
  assert.equal(
    labels[jobLabel(attacker.namespace, attacker.name)],
    undefined,
    `the victim's volume ${volume} carries no job label of ${attacker.namespace}/${attacker.name}: ${JSON.stringify(labels)}`,
  );
  assert.equal(await world.job(jobOf(attacker.namespace, attacker.name)), undefined, 'no job is made for the claim');
  const snapshots = await archiveObjects<Snapshot>(world, 'snapshots', jobOf(attacker.namespace, attacker.name));
  assert.deepEqual(
    snapshots.map((s) => s.metadata.name),
    [],
    'no archive Snapshot of the victim volume',
  );
  const events = await world.events(attacker.namespace, attacker.name);
  assert.deepEqual(
    events.filter((e) => /^Archive(Ready|SnapshotCreated)$/.test(e.reason ?? '')).map((e) => e.message),
    [],
    'no archive Event on the claim',
  );
}

test("a Pending PVC naming another tenant's PV (archive=true included) gets nothing: no label, no job, no Snapshot; volume_not_bound_to_pvc with an Event saying why", async () => {
  await world.createPvc(victimNs, 'db', enabledLabels('db'));
  const victimPv = await world.bind(victimNs, 'db', 'vol-victim');
  await world.waitForVolumeLabels(
    'vol-victim',
    (l) => l[jobLabel(victimNs, 'db')] === 'enabled',
    "the victim's own label",
  );

  // The attacker writes the victim's PV name in spec.volumeName; the binder never binds it (Pending).
  await world.core.createNamespacedPersistentVolumeClaim({
    namespace: attackerNs,
    body: {
      metadata: { name: 'steal', labels: enabledLabels('steal', archiveLabels('2099-12-31')) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: world.storageClass,
        volumeName: victimPv,
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
  const event = await world.waitForEvent(
    attackerNs,
    'steal',
    'VolumeNotBoundToPvc',
    new RegExp(`PersistentVolume ${victimPv} is bound to PVC ${victimNs}/db, not to this PVC`),
  );
  assert.equal(event.type, 'Warning');
  await waitForSeries(
    handle,
    'backup_pvc_violation',
    { condition: VIOLATION, namespace: attackerNs, pvc: 'steal' },
    true,
  );
  await assertUntouched('vol-victim', { namespace: attackerNs, name: 'steal' });
  assert.equal(
    (await world.volume('vol-victim')).metadata.labels?.[jobLabel(victimNs, 'db')],
    'enabled',
    'the victim keeps its own backup',
  );
});

test("a PV whose claimRef names an earlier PVC of the same name (another uid) is not the new PVC's", async () => {
  await world.createPvc(attackerNs, 'again', enabledLabels('again'));
  // A Released PV of a deleted claim `again`: its claimRef keeps the old uid.
  await world.createVolume('vol-released');
  const pvName = world.pvNameFor('vol-released');
  await world.createPv(pvName, 'vol-released', {
    namespace: attackerNs,
    name: 'again',
    uid: '00000000-0000-0000-0000-000000000001',
  });
  await world.core.patchNamespacedPersistentVolumeClaim(
    { namespace: attackerNs, name: 'again', body: { spec: { volumeName: pvName } } },
    mergePatch,
  );
  await world.waitForEvent(
    attackerNs,
    'again',
    'VolumeNotBoundToPvc',
    /an earlier PVC .* \(uid 00000000-0000-0000-0000-000000000001\)/,
  );
  await waitForSeries(
    handle,
    'backup_pvc_violation',
    { condition: VIOLATION, namespace: attackerNs, pvc: 'again' },
    true,
  );
  await settled();
  assert.equal((await world.volume('vol-released')).metadata.labels?.[jobLabel(attackerNs, 'again')], undefined);
});

test('a PVC bound to a PV of another CSI driver gets no Longhorn Volume, even one of the same name', async () => {
  await world.createPvc(attackerNs, 'nfs', enabledLabels('nfs'));
  // A Longhorn Volume happens to be named like the foreign PV (and its volumeHandle).
  const pvName = world.pvNameFor('vol-foreign');
  await world.createVolume(pvName);
  await world.bind(
    attackerNs,
    'nfs',
    pvName,
    {},
    { pvName, driver: 'nfs.csi.k8s.io', createVolume: false, kubernetesStatus: false },
  );
  await world.waitForEvent(
    attackerNs,
    'nfs',
    'VolumeNotBoundToPvc',
    /has CSI driver nfs\.csi\.k8s\.io, not driver\.longhorn\.io/,
  );
  await waitForSeries(
    handle,
    'backup_pvc_violation',
    { condition: VIOLATION, namespace: attackerNs, pvc: 'nfs' },
    true,
  );
  await settled();
  assert.equal((await world.volume(pvName)).metadata.labels?.[jobLabel(attackerNs, 'nfs')], undefined);
});

test('a restored volume bound through a PV of another name (before Longhorn records it) gets its label through the volumeHandle; the violation series is gone once bound', async () => {
  await world.createPvc(victimNs, 'restored', enabledLabels('restored', { [`${P}/retain`]: '3' }));
  await world.waitForJob(jobOf(victimNs, 'restored'));
  const pvName = await world.bind(
    victimNs,
    'restored',
    'backup-restore-2026',
    {},
    { pvName: world.pvNameFor('restore-pv'), kubernetesStatus: false },
  );
  assert.notEqual(pvName, 'backup-restore-2026');
  await world.waitForVolumeLabels(
    'backup-restore-2026',
    (l) => l[jobLabel(victimNs, 'restored')] === 'enabled',
    "the restored volume's label",
  );
  await world.waitForEvent(victimNs, 'restored', 'BackupVolumeLabelled', /backup-restore-2026/);
  assert.equal(
    seriesValue(await scrape(handle), 'backup_pvc_violation', {
      condition: VIOLATION,
      namespace: victimNs,
      pvc: 'restored',
    }),
    undefined,
  );
});
