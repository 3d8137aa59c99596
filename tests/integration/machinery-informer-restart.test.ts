// The informer survives its apiserver: a restart under a running informer, and the 410 Gone path
// (history compacted while the informer was cut off) which must relist and converge, deletes included.
// Both restart an apiserver, so they use a control plane of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { compactEtcdHistory } from '../harness/etcd-compaction.ts';
import { startCuttableProxy } from './machinery-cuttable-proxy.ts';
import { Informer, type RestartReason } from '@longhorn-backup-guard/shared/kube/informer/informer';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { mergePatch } from '../harness/patch-content-types.ts';

const own = await startPrivateCluster();
const controlPlane = own.controlPlane;
assert.ok(controlPlane);
const core = own.kubeConfig().makeApiClient(CoreV1Api);
const log = createLogger('test', 'silent');
const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
const fastBackoff = { initialMs: 50, maxMs: 500, jitter: 0.2 };

async function createPvc(namespace: string, name: string): Promise<void> {
  await core.createNamespacedPersistentVolumeClaim({ namespace, body: { metadata: { name }, spec } });
}

async function labelPvc(namespace: string, name: string, value: string): Promise<void> {
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace, name, body: { metadata: { labels: { step: value } } } },
    mergePatch,
  );
}

async function deletePvc(namespace: string, name: string): Promise<void> {
  await core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace, name, body: { metadata: { finalizers: null } } },
    mergePatch,
  );
}

function pvcInformer(
  kc: KubeConfig,
  namespace: string,
  reasons: RestartReason[],
  deleted: string[],
): Informer<KubeObject & { metadata: { labels?: Record<string, string> } }> {
  return new Informer({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace }),
    log,
    backoff: fastBackoff,
    onRestart: (reason) => reasons.push(reason),
    handler: { onDelete: (o) => deleted.push(o.metadata?.name ?? '?') },
  });
}

function names<T extends KubeObject>(informer: Informer<T>): string[] {
  return informer
    .list()
    .map((o) => o.metadata?.name ?? '?')
    .sort();
}

test('changes made right after an apiserver restart reach a running informer', async (t) => {
  const ns = await own.createNamespace('restart');
  await createPvc(ns, 'kept');
  await createPvc(ns, 'doomed');
  const reasons: RestartReason[] = [];
  const deleted: string[] = [];
  const informer = pvcInformer(own.kubeConfig(), ns, reasons, deleted);
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();

  await controlPlane.restartApiserver();
  await deletePvc(ns, 'doomed');
  await labelPvc(ns, 'kept', 'after-restart');
  await createPvc(ns, 'new');

  await waitFor(
    'the store to converge',
    async () =>
      names(informer).join() === 'kept,new' && informer.get(`${ns}/kept`)?.metadata.labels?.step === 'after-restart'
        ? true
        : undefined,
    20_000,
  );
  assert.deepEqual(deleted, ['doomed']);
  assert.ok(informer.restarts >= 1, 'the outage was noticed and counted');
});

test('410 Gone: history compacted while the informer was cut off; it relists and converges, deletes included', async (t) => {
  const ns = await own.createNamespace('gone');
  for (const name of ['stays', 'changes', 'vanishes']) await createPvc(ns, name);
  const proxy = await startCuttableProxy(own.info.apiUrl);
  t.after(() => proxy.close());
  const kc = proxy.kubeConfigThrough(own.kubeConfig());
  const reasons: RestartReason[] = [];
  const deleted: string[] = [];
  const informer = pvcInformer(kc, ns, reasons, deleted);
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();
  const versionBefore = informer.resourceVersion;

  // Cut the informer off, change the world, compact etcd's history and restart the apiserver so
  // that its watch cache starts after the compaction; only then let the informer reconnect.
  proxy.cut();
  await deletePvc(ns, 'vanishes');
  await labelPvc(ns, 'changes', 'in-the-gap');
  await createPvc(ns, 'appears');
  await compactEtcdHistory(own.info.etcdUrl);
  await controlPlane.restartApiserver();
  assert.ok(reasons.length > 0 && !reasons.some((reason) => reason !== 'error'), `cut off: ${reasons.join()}`);
  assert.equal(informer.resourceVersion, versionBefore, 'nothing reached the informer in the gap');
  proxy.restore();

  await waitFor(
    'the store to converge',
    async () =>
      names(informer).join() === 'appears,changes,stays' &&
      informer.get(`${ns}/changes`)?.metadata.labels?.step === 'in-the-gap'
        ? true
        : undefined,
    20_000,
  );
  assert.ok(reasons.includes('gone'), `resumed from a compacted resourceVersion: ${reasons.join()}`);
  assert.deepEqual(deleted, ['vanishes'], 'the delete made in the gap is reported');

  await labelPvc(ns, 'stays', 'watching-again');
  await waitFor('watching again', async () =>
    informer.get(`${ns}/stays`)?.metadata.labels?.step === 'watching-again' ? true : undefined,
  );
});
