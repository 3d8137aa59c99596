// Informers keep lean copies: a PVC applied with kubectl (managedFields and the last-applied
// annotation, both set by the real apiserver) is stored without either, its labels and spec intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';

const cluster = await useTestCluster();
const log = createLogger('test', 'silent');

const manifest = (namespace: string, name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace, labels: { 'backup.vluwte.nl/enabled': 'true' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });

test('the informer stores objects without managedFields and the last-applied annotation, listed or watched', async (t) => {
  const ns = await cluster.createNamespace('lean');
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifest(ns, 'listed') });
  assert.equal(applied.code, 0, applied.stderr);
  const raw = await cluster.kubectl(['get', 'pvc', '-n', ns, 'listed', '-o', 'json', '--show-managed-fields']);
  const full = JSON.parse(raw.stdout) as V1PersistentVolumeClaim;
  assert.ok(full.metadata?.managedFields?.length, 'the apiserver keeps managedFields');
  assert.ok(
    full.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
    'kubectl apply keeps its copy',
  );

  const informer = new Informer<V1PersistentVolumeClaim & KubeObject>({
    resource: 'persistentvolumeclaims',
    kubeConfig: cluster.kubeConfig(),
    log,
    path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }),
  });
  t.after(() => informer.stop());
  informer.start();
  assert.equal(await informer.whenSynced(), true);
  assert.equal((await cluster.kubectl(['apply', '-f', '-'], { input: manifest(ns, 'watched') })).code, 0);
  await waitFor('the watched PVC', async () => informer.get(`${ns}/watched`));

  for (const name of ['listed', 'watched']) {
    const stored = informer.get(`${ns}/${name}`);
    assert.ok(stored);
    assert.equal(stored.metadata?.managedFields, undefined, `${name}: no managedFields`);
    assert.equal(
      stored.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
      undefined,
      `${name}: no last-applied copy`,
    );
    assert.deepEqual(stored.metadata?.labels, { 'backup.vluwte.nl/enabled': 'true' });
    assert.deepEqual(stored.spec?.resources, { requests: { storage: '1Gi' } });
  }
});
