// PVC -> PV -> Longhorn Volume, as Kubernetes binds them (issue 11, item 1): the pure resolution
// and what decide() does with a refused one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { decide } from '@longhorn-backup-guard/reconciler/decide/decide-key';
import { resolveVolumeBinding, type VolumeBinding } from '@longhorn-backup-guard/shared/storage/volume-binding';
import { P, boundPv, pvc, snapshotOf, volume } from './snapshot-fixtures.ts';

const DRIVER = 'driver.longhorn.io';
const claim = pvc('shop', 'db', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'db' }, { volumeName: 'pv-db' });

function resolve(
  pvcObject: V1PersistentVolumeClaim,
  pvs: V1PersistentVolume[],
  volumes = [volume('vol-db')],
): VolumeBinding {
  return resolveVolumeBinding(
    pvcObject,
    {
      pvNamed: (n) => pvs.find((pv) => pv.metadata?.name === n),
      volumeNamed: (n) => volumes.find((v) => v.metadata.name === n),
    },
    DRIVER,
  );
}

test("bound: the PV names this PVC (uid included), is Longhorn's, and its volumeHandle names the Volume (a name other than the PV's)", () => {
  const binding = resolve(claim, [boundPv(claim, 'vol-db')]);
  assert.equal(binding.kind, 'bound');
  assert.equal(binding.kind === 'bound' ? binding.volume.metadata.name : '', 'vol-db');
});

test('refused: a claimRef of another PVC, of an earlier PVC of the same name, a foreign driver, a Volume Longhorn records for another PVC', () => {
  const other = pvc('victim', 'db', {}, { volumeName: 'pv-db' });
  assert.match(JSON.stringify(resolve(claim, [boundPv(other, 'vol-db')])), /"refused".*bound to PVC victim\/db/);
  const earlier = boundPv(claim, 'vol-db');
  earlier.spec = { ...earlier.spec, claimRef: { ...earlier.spec?.claimRef, uid: 'old-uid' } };
  assert.match(JSON.stringify(resolve(claim, [earlier])), /"refused".*an earlier PVC shop\/db \(uid old-uid\)/);
  assert.match(
    JSON.stringify(resolve(claim, [boundPv(claim, 'vol-db', 'nfs.csi.k8s.io')])),
    /"refused".*CSI driver nfs\.csi\.k8s\.io/,
  );
  const hostPath: V1PersistentVolume = {
    metadata: { name: 'pv-db' },
    spec: { hostPath: { path: '/x' }, claimRef: boundPv(claim).spec?.claimRef },
  };
  assert.match(JSON.stringify(resolve(claim, [hostPath])), /"refused".*is not a CSI volume/);
  const recordsOther = {
    ...volume('vol-db'),
    status: { kubernetesStatus: { namespace: 'victim', pvcName: 'db', pvName: 'pv-db' } },
  };
  assert.match(
    JSON.stringify(resolve(claim, [boundPv(claim, 'vol-db')], [recordsOther])),
    /"refused".*Longhorn records PVC victim\/db/,
  );
  // Longhorn still names a deleted PVC (lastPVCRefAt): it updates the record once it sees this one.
  const stale = {
    ...volume('vol-db'),
    status: { kubernetesStatus: { namespace: 'victim', pvcName: 'db', lastPVCRefAt: '2026-11-01T00:00:00Z' } },
  };
  assert.equal(resolve(claim, [boundPv(claim, 'vol-db')], [stale]).kind, 'bound');
});

test('waiting: no PV yet, a PV not claimed yet, a pre-bound claimRef without uid, a PVC not Bound yet, a Volume not made yet', () => {
  assert.equal(resolve(claim, []).kind, 'waiting');
  const unclaimed = boundPv(claim, 'vol-db');
  unclaimed.spec = { ...unclaimed.spec, claimRef: undefined };
  assert.equal(resolve(claim, [unclaimed]).kind, 'waiting');
  const preBound = boundPv(claim, 'vol-db');
  preBound.spec = { ...preBound.spec, claimRef: { namespace: 'shop', name: 'db' } };
  assert.equal(resolve(claim, [preBound]).kind, 'waiting');
  assert.match(
    JSON.stringify(resolve({ ...claim, status: { phase: 'Pending' } }, [boundPv(claim, 'vol-db')])),
    /"waiting".*Pending, not Bound/,
  );
  assert.match(
    JSON.stringify(resolve(claim, [boundPv(claim, 'vol-gone')])),
    /"waiting".*vol-gone .* does not exist yet/,
  );
  assert.equal(resolve(pvc('shop', 'db', {}), []).kind, 'unbound');
});

test('property: whatever the PV says, a binding is only ever bound to the Volume its volumeHandle names, for the claim it names with this uid', () => {
  const text = fc.constantFrom('shop', 'db', 'victim', '', 'uid-shop-db', 'old');
  fc.assert(
    fc.property(
      text,
      text,
      text,
      fc.constantFrom(DRIVER, 'nfs.csi.k8s.io'),
      fc.constantFrom('vol-db', 'vol-other'),
      fc.constantFrom('Bound', 'Pending', ''),
      (ns, name, uid, driver, handle, phase) => {
        const pv: V1PersistentVolume = {
          metadata: { name: 'pv-db' },
          spec: { csi: { driver, volumeHandle: handle }, claimRef: { namespace: ns, name, uid } },
        };
        const binding = resolve({ ...claim, status: { phase } }, [pv], [volume('vol-db'), volume('vol-other')]);
        if (binding.kind !== 'bound') return;
        assert.deepEqual(
          [ns, name, uid, driver, phase, binding.volume.metadata.name],
          ['shop', 'db', 'uid-shop-db', DRIVER, 'Bound', handle],
        );
      },
    ),
  );
});

test('decide: a refused binding is the violation volume_not_bound_to_pvc with a Warning Event, and nothing is written', () => {
  const victimPvc = pvc('victim', 'db', {}, { volumeName: 'pv-db' });
  const attacker = pvc(
    'shop',
    'db',
    {
      [`${P}/enabled`]: 'true',
      [`${P}/name`]: 'db',
      [`${P}/archive`]: 'true',
      [`${P}/archive-delete-after`]: '2099-12-31',
    },
    { volumeName: 'pv-db' },
  );
  const pending = { ...attacker, status: { phase: 'Pending' } };
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [pending, victimPvc],
      pvs: [boundPv(victimPvc, 'vol-db')],
      volumes: [volume('vol-db')],
    }),
  );
  assert.deepEqual(
    result.actions.map((a) => (a.type === 'event' ? a.event.reason : a.type)),
    ['VolumeNotBoundToPvc'],
  );
  assert.deepEqual(
    result.report.violations.map((v) => v.condition),
    ['volume_not_bound_to_pvc'],
  );
  assert.deepEqual(result.report.managed, []);
});

test('decide: on a foreign StorageClass a PV bound to another claim makes nothing Longhorn-backed (labels ignored, no violation)', () => {
  const victimPvc = pvc('victim', 'db', {}, { volumeName: 'pv-db' });
  const attacker = pvc(
    'shop',
    'db',
    { [`${P}/enabled`]: 'true', [`${P}/name`]: 'db' },
    { storageClassName: 'nfs', volumeName: 'pv-db' },
  );
  const result = decide(
    snapshotOf('shop', 'db', {
      pvcs: [attacker, victimPvc],
      pvs: [boundPv(victimPvc, 'vol-db')],
      volumes: [volume('vol-db')],
    }),
  );
  assert.deepEqual(
    result.actions.map((a) => (a.type === 'event' ? a.event.reason : a.type)),
    ['BackupLabelsIgnored'],
  );
  assert.deepEqual(result.report.violations, []);
});
