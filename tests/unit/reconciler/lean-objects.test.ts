// The reconciler's informers keep lean copies (reconciler/src/cache/lean-objects.ts): every
// decision on lean copies is the decision on the full objects, as the apiserver and Longhorn
// write them (annotations, managedFields, capacity, Longhorn's volume spec and workload list).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { decide } from '@longhorn-backup-guard/reconciler/decide/decide-key';
import { decideHealth } from '@longhorn-backup-guard/reconciler/health/decide-health';
import { leanPv, leanPvc, leanVolume } from '@longhorn-backup-guard/reconciler/cache/lean-objects';
import { boundPv, job, LONGHORN_NS, managedLabels, P, pvc, snapshotOf } from './snapshot-fixtures.ts';

const bookkeeping = {
  annotations: {
    'pv.kubernetes.io/bind-completed': 'yes',
    'kubectl.kubernetes.io/last-applied-configuration': '{"a":"copy"}',
  },
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  finalizers: ['kubernetes.io/pvc-protection'],
  creationTimestamp: '2026-11-20T00:00:00Z',
};

function fullPvc(claim: V1PersistentVolumeClaim): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { ...claim.metadata, ...bookkeeping } as unknown as V1PersistentVolumeClaim['metadata'],
    spec: { ...claim.spec, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    status: { ...claim.status, capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
  };
}

function fullPv(pv: V1PersistentVolume): V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { ...pv.metadata, ...bookkeeping } as unknown as V1PersistentVolume['metadata'],
    spec: {
      ...pv.spec,
      ...(pv.spec?.csi === undefined
        ? {}
        : { csi: { ...pv.spec.csi, fsType: 'ext4', volumeAttributes: { numberOfReplicas: '3' } } }),
      capacity: { storage: '1Gi' },
      persistentVolumeReclaimPolicy: 'Delete',
    },
    status: pv.status,
  };
}

function fullVolume(name: string, state: string, labels: Record<string, string>, pvcName: string): Volume {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    metadata: { name, namespace: LONGHORN_NS, labels, ...bookkeeping },
    spec: { numberOfReplicas: 3, size: '1073741824' },
    status: {
      state: state as 'attached' | 'detached',
      robustness: 'healthy',
      kubernetesStatus: {
        namespace: 'a',
        pvcName,
        pvName: name,
        lastPVCRefAt: '',
        ...{ workloadsStatus: [{ podName: 'db-0', podStatus: 'Running' }] },
      },
    },
  };
}

const scenario = fc.record({
  enabled: fc.constantFrom('true', 'false', 'maybe'),
  bound: fc.boolean(),
  driver: fc.constantFrom('driver.longhorn.io', 'nfs.csi.k8s.io'),
  claimedBy: fc.constantFrom('data', 'other'),
  storageClassName: fc.constantFrom('longhorn', 'nfs', null),
  volumeState: fc.constantFrom('attached', 'detached'),
  volumeLabelled: fc.boolean(),
  jobExists: fc.boolean(),
});

test('decisions on lean copies are the decisions on the full objects', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const labels = { [`${P}/enabled`]: s.enabled, [`${P}/name`]: 'data' };
      const claim = pvc('a', 'data', labels, {
        storageClassName: s.storageClassName,
        ...(s.bound ? { volumeName: 'pvc-1' } : {}),
      });
      const mate = pvc('a', 'mate', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'mate' }, { volumeName: 'pvc-2' });
      const pvs = [claim, mate]
        .filter((p) => p.spec?.volumeName !== undefined)
        .map((p) => boundPv(p, p.spec?.volumeName, s.driver))
        .map((pv) =>
          s.claimedBy === 'data' ? pv : { ...pv, spec: { ...pv.spec, claimRef: { namespace: 'a', name: 'x' } } },
        );
      const volumeLabels: Record<string, string> = s.volumeLabelled
        ? { 'recurring-job.longhorn.io/backup-a-data': 'enabled' }
        : {};
      const volumes = [
        fullVolume('pvc-1', s.volumeState, volumeLabels, 'data'),
        fullVolume('pvc-2', 'attached', {}, 'mate'),
      ];
      const jobs = s.jobExists ? [job('backup-a-data', managedLabels('a', 'data'))] : [];
      const full = { pvcs: [claim, mate].map(fullPvc), pvs: pvs.map(fullPv), volumes, jobs };
      const lean = {
        pvcs: full.pvcs.map((p) => leanPvc(structuredClone(p))),
        pvs: full.pvs.map((pv) => leanPv(structuredClone(pv))),
        volumes: volumes.map((v) => leanVolume(structuredClone(v), P)),
        jobs,
      };
      const onFull = snapshotOf('a', 'data', full);
      const onLean = snapshotOf('a', 'data', lean);
      assert.deepEqual(decide(onLean), decide(onFull));
      assert.deepEqual(
        decideHealth(onLean, () => []),
        decideHealth(onFull, () => []),
      );
    }),
  );
});

test('lean copies keep identity, labels and what is read, and drop the rest', () => {
  const claim = fullPvc(pvc('a', 'data', { x: 'y' }, { volumeName: 'pvc-1' }));
  const lean = leanPvc(claim);
  assert.equal(lean.metadata?.resourceVersion, claim.metadata?.resourceVersion);
  assert.deepEqual(lean.metadata?.labels, { x: 'y' });
  assert.equal(lean.metadata?.annotations, undefined);
  assert.equal(lean.metadata?.managedFields, undefined);
  assert.deepEqual(lean.spec, { storageClassName: 'longhorn', volumeName: 'pvc-1' });
  const volume = leanVolume(fullVolume('pvc-1', 'attached', {}, 'data'), P);
  assert.equal(volume.spec, undefined);
  assert.equal(volume.metadata.annotations, undefined);
  const marked = fullVolume('pvc-1', 'attached', {}, 'data');
  marked.metadata.annotations = { ...marked.metadata.annotations, [`${P}/orphaned-since`]: '2026-11-29T00:00:00Z' };
  assert.deepEqual(leanVolume(marked, P).metadata.annotations, { [`${P}/orphaned-since`]: '2026-11-29T00:00:00Z' });
  assert.deepEqual(volume.status?.kubernetesStatus, { namespace: 'a', pvcName: 'data', pvName: 'pvc-1' });
  const pv = leanPv(fullPv(boundPv(pvc('a', 'data', {}, { volumeName: 'pvc-1' }))));
  assert.deepEqual(pv.spec?.csi, { driver: 'driver.longhorn.io', volumeHandle: 'pvc-1' });
});
