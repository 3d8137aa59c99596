// Proves the test control plane is the real thing: Longhorn's CRD schemas validate, patch content
// types matter, watches behave as in a cluster, and the built kubectl works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  StorageV1Api,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startPrivateCluster, useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { compactEtcdHistory } from '../harness/etcd-compaction.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const storage = kc.makeApiClient(StorageV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function recurringJob(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'longhorn.io/v1beta2', kind: 'RecurringJob', metadata: { name }, spec };
}

function statusMessage(error: ApiException<unknown>): string {
  return (JSON.parse(String(error.body)) as { message: string }).message;
}

async function apiErrorOf(call: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  assert.fail('the apiserver accepted a request it should have refused');
}

test('namespaces, a Longhorn StorageClass, a PVC, a RecurringJob and a Volume can be created', async () => {
  const ns = await cluster.createNamespace('harness');
  const scName = `longhorn-${ns}`;
  await storage.createStorageClass({ body: { metadata: { name: scName }, provisioner: 'driver.longhorn.io' } });
  const pvc = await core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: scName, resources: { requests: { storage: '1Gi' } } },
    },
  });
  assert.equal(pvc.status?.phase, 'Pending', 'no PV binder runs, so the PVC stays Pending');

  const job = (await custom.createNamespacedCustomObject({
    ...longhorn,
    namespace: ns,
    plural: 'recurringjobs',
    body: recurringJob('backup-harness', {
      name: 'backup-harness',
      task: 'backup',
      cron: '0 3,9,15,21 * * *',
      retain: 8,
      concurrency: 1,
    }),
  })) as { spec: { cron: string } };
  assert.equal(job.spec.cron, '0 3,9,15,21 * * *');

  const volume = (await custom.createNamespacedCustomObject({
    ...longhorn,
    namespace: ns,
    plural: 'volumes',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Volume',
      metadata: { name: 'pvc-0001' },
      spec: { size: '1073741824', numberOfReplicas: 3 },
    },
  })) as { metadata: { name: string } };
  assert.equal(volume.metadata.name, 'pvc-0001');
});

test('a RecurringJob with spec.backupTargetName is refused under strict field validation (seed 000, gotcha 2)', async () => {
  const ns = await cluster.createNamespace('harness');
  const error = await apiErrorOf(
    custom.createNamespacedCustomObject({
      ...longhorn,
      namespace: ns,
      plural: 'recurringjobs',
      fieldValidation: 'Strict',
      body: recurringJob('daily-nas', {
        task: 'backup',
        cron: '0 2 * * *',
        retain: 7,
        concurrency: 2,
        backupTargetName: 'nas',
      }),
    }),
  );
  assert.equal(error.code, 400);
  assert.match(statusMessage(error), /strict decoding error: unknown field "spec.backupTargetName"/);
});

test('a RecurringJob with task "nonsense" is refused by the CRD enum', async () => {
  const ns = await cluster.createNamespace('harness');
  const error = await apiErrorOf(
    custom.createNamespacedCustomObject({
      ...longhorn,
      namespace: ns,
      plural: 'recurringjobs',
      body: recurringJob('bad-task', { task: 'nonsense', cron: '0 2 * * *', retain: 7, concurrency: 1 }),
    }),
  );
  assert.equal(error.code, 422);
  assert.match(statusMessage(error), /spec\.task: Unsupported value: "nonsense"/);
});

test("a merge patch of a Volume's labels needs the merge-patch Content-Type", async () => {
  const ns = await cluster.createNamespace('harness');
  await custom.createNamespacedCustomObject({
    ...longhorn,
    namespace: ns,
    plural: 'volumes',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Volume',
      metadata: { name: 'pvc-0002' },
      spec: { size: '1073741824' },
    },
  });
  const body = { metadata: { labels: { 'recurring-job.longhorn.io/backup-x': 'enabled' } } };
  // The generated method's default Content-Type is application/json-patch+json: a merge-patch body is refused.
  const wrong = await apiErrorOf(
    custom.patchNamespacedCustomObject({ ...longhorn, namespace: ns, plural: 'volumes', name: 'pvc-0002', body }),
  );
  assert.equal(wrong.code, 400);
  const patched = (await custom.patchNamespacedCustomObject(
    { ...longhorn, namespace: ns, plural: 'volumes', name: 'pvc-0002', body },
    mergePatch,
  )) as { metadata: { labels: Record<string, string> } };
  assert.equal(patched.metadata.labels['recurring-job.longhorn.io/backup-x'], 'enabled');
});

test('a watch on PVCs sees ADDED, MODIFIED and DELETED', async () => {
  const ns = await cluster.createNamespace('harness');
  const seen: string[] = [];
  const watcher = await new Watch(kc).watch(
    `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
    {},
    (type, object: { metadata?: { name?: string } }) => {
      if (object.metadata?.name === 'watched') seen.push(type);
    },
    () => {},
  );
  try {
    const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
    await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'watched' }, spec } });
    await core.patchNamespacedPersistentVolumeClaim(
      { namespace: ns, name: 'watched', body: { metadata: { labels: { changed: 'yes' } } } },
      mergePatch,
    );
    await core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'watched' });
    // The StorageObjectInUseProtection admission plugin added kubernetes.io/pvc-protection; with no
    // controller-manager running, the test removes it as the PVC protection controller would.
    await core.patchNamespacedPersistentVolumeClaim(
      { namespace: ns, name: 'watched', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await waitFor('the DELETED event', async () => (seen.includes('DELETED') ? true : undefined), 10_000);
    assert.deepEqual(
      seen,
      ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED'],
      'added, labelled, marked for deletion, gone once the finalizer is removed',
    );
  } finally {
    watcher.abort();
  }
});

test('a watch resumed from a compacted resourceVersion gets 410 Gone', async () => {
  // The watch cache keeps serving history that etcd compacted, until the apiserver restarts: then
  // its window begins after the compaction, exactly the situation a controller meets in a cluster.
  // This test restarts an apiserver, so it uses a control plane of its own.
  const own = await startPrivateCluster();
  const ownApi = own.kubeConfig().makeApiClient(CoreV1Api);
  const ns = await own.createNamespace('compacted');
  const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  const oldVersion =
    (await ownApi.listNamespacedPersistentVolumeClaim({ namespace: ns })).metadata?.resourceVersion ?? '';
  for (let i = 0; i < 3; i++) {
    await ownApi.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: { metadata: { name: `churn-${i}` }, spec },
    });
  }
  await compactEtcdHistory(own.info.etcdUrl);
  await own.controlPlane?.restartApiserver();

  const outcome = await new Promise<{ type: string; code?: number }>((resolve, reject) => {
    new Watch(own.kubeConfig())
      .watch(
        `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
        { resourceVersion: oldVersion },
        (type, object: { code?: number }) => resolve({ type, code: object.code }),
        (error: unknown) => {
          if (error) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
      )
      .catch(reject);
  });
  assert.deepEqual(outcome, { type: 'ERROR', code: 410 });
});

test('the built kubectl applies a manifest with the generated kubeconfig', async () => {
  const ns = await cluster.createNamespace('harness');
  const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: ${ns}\ndata:\n  key: value\n`;
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /configmap\/applied created/);
  const read = await cluster.kubectl(['get', 'configmap', 'applied', '-n', ns, '-o', 'jsonpath={.data.key}']);
  assert.equal(read.stdout, 'value');
});
