// The informer against the real apiserver: initial list, add/update/delete of PVCs and of Longhorn
// RecurringJobs behind a label selector, the watchdog restarting a silent watch, and a resync
// that reports differences only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { Informer, type RestartReason } from '@longhorn-backup-guard/shared/kube/informer/informer';
import { createInformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { collectionLister } from '@longhorn-backup-guard/shared/kube/informer/list-collection';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { mergePatch } from '../harness/patch-content-types.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const log = createLogger('test', 'silent');
const longhorn = { group: 'longhorn.io', version: 'v1beta2', plural: 'recurringjobs' };
const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

type Pvc = V1PersistentVolumeClaim & KubeObject;
type RecurringJob = KubeObject & { metadata: { labels?: Record<string, string> }; spec: { cron: string } };

/** Handler calls as readable strings, e.g. `add data`, `update data`, `delete data`. */
function recorder(): {
  events: string[];
  handler: { onAdd(o: KubeObject): void; onUpdate(a: KubeObject, b: KubeObject): void; onDelete(o: KubeObject): void };
} {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o) => events.push(`add ${o.metadata?.name}`),
      onUpdate: (_old, o) => events.push(`update ${o.metadata?.name}`),
      onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
    },
  };
}

async function deletePvc(namespace: string, name: string): Promise<void> {
  await core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
  // No controller-manager runs: remove kubernetes.io/pvc-protection as the PVC protection controller would.
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace, name, body: { metadata: { finalizers: null } } },
    mergePatch,
  );
}

function recurringJob(name: string, labels: Record<string, string>) {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'RecurringJob',
    metadata: { name, labels },
    spec: { name, task: 'backup', cron: '0 3 * * *', retain: 8, concurrency: 1 },
  };
}

test('a PVC informer lists what exists, then follows add, update and delete', async (t) => {
  const ns = await cluster.createNamespace('informer');
  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'before' }, spec } });
  const { events, handler } = recorder();
  const informer = new Informer<Pvc>({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }),
    log,
    handler,
  });
  t.after(() => informer.stop());
  informer.start();
  assert.equal(await informer.whenSynced(), true);
  assert.equal(informer.hasSynced(), true);
  assert.deepEqual(events, ['add before']);
  const listed = informer.get(`${ns}/before`);
  assert.equal(listed?.kind, 'PersistentVolumeClaim', 'list items get the kind watch events carry');
  assert.equal(typeof listed?.metadata?.creationTimestamp, 'string', 'raw JSON, as in watch events: no Date objects');

  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'data' }, spec } });
  await waitFor('the add', async () => informer.get(`${ns}/data`));
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace: ns, name: 'data', body: { metadata: { labels: { tier: 'gold' } } } },
    mergePatch,
  );
  await waitFor('the update', async () =>
    informer.get(`${ns}/data`)?.metadata?.labels?.tier === 'gold' ? true : undefined,
  );
  await deletePvc(ns, 'data');
  await waitFor('the delete', async () => (informer.get(`${ns}/data`) ? undefined : true));

  assert.deepEqual(
    events.filter((e) => e.endsWith(' data')),
    ['add data', 'update data', 'update data', 'delete data'],
    'added, labelled, marked for deletion, gone once the finalizer is removed',
  );
  assert.deepEqual(
    informer.list().map((o) => o.metadata?.name),
    ['before'],
  );
  assert.equal(informer.restarts, 0);
});

test('a RecurringJob informer with a label selector sees only managed jobs, and jobs entering and leaving the selection', async (t) => {
  const ns = await cluster.createNamespace('informer-rj');
  const jobs = { ...longhorn, namespace: ns };
  await custom.createNamespacedCustomObject({
    ...jobs,
    body: recurringJob('managed-1', { 'backup.vluwte.nl/managed': 'true' }),
  });
  await custom.createNamespacedCustomObject({ ...jobs, body: recurringJob('manual', {}) });
  const { events, handler } = recorder();
  const informer = new Informer<RecurringJob>({
    resource: 'recurringjobs',
    kubeConfig: kc,
    path: resourcePath({ ...longhorn, namespace: ns }),
    labelSelector: 'backup.vluwte.nl/managed=true',
    log,
    handler,
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();
  assert.deepEqual(
    informer.list().map((o) => o.metadata.name),
    ['managed-1'],
  );

  await custom.createNamespacedCustomObject({
    ...jobs,
    body: recurringJob('managed-2', { 'backup.vluwte.nl/managed': 'true' }),
  });
  await custom.patchNamespacedCustomObject(
    { ...jobs, name: 'managed-1', body: { spec: { cron: '0 4 * * *' } } },
    mergePatch,
  );
  await custom.patchNamespacedCustomObject(
    { ...jobs, name: 'manual', body: { metadata: { labels: { 'backup.vluwte.nl/managed': 'true' } } } },
    mergePatch,
  );
  await waitFor('manual job enters the selection', async () => informer.get(`${ns}/manual`));
  await waitFor('cron update', async () =>
    informer.get(`${ns}/managed-1`)?.spec.cron === '0 4 * * *' ? true : undefined,
  );
  await custom.patchNamespacedCustomObject(
    { ...jobs, name: 'manual', body: { metadata: { labels: { 'backup.vluwte.nl/managed': null } } } },
    mergePatch,
  );
  await custom.deleteNamespacedCustomObject({ ...jobs, name: 'managed-2' });
  await waitFor('both leave', async () => (informer.list().length === 1 ? true : undefined));

  assert.deepEqual(events, [
    'add managed-1',
    'add managed-2',
    'update managed-1',
    'add manual',
    'delete manual',
    'delete managed-2',
  ]);
  assert.deepEqual(
    informer.list().map((o) => o.metadata.name),
    ['managed-1'],
  );
});

test('a field selector narrows list and watch', async (t) => {
  const ns = await cluster.createNamespace('informer-field');
  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'chosen' }, spec } });
  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'other' }, spec } });
  const { events, handler } = recorder();
  const informer = new Informer<Pvc>({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }),
    fieldSelector: 'metadata.name=chosen',
    log,
    handler,
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace: ns, name: 'other', body: { metadata: { labels: { a: 'b' } } } },
    mergePatch,
  );
  await core.patchNamespacedPersistentVolumeClaim(
    { namespace: ns, name: 'chosen', body: { metadata: { labels: { a: 'b' } } } },
    mergePatch,
  );
  await waitFor('the chosen update', async () =>
    informer.get(`${ns}/chosen`)?.metadata?.labels?.a === 'b' ? true : undefined,
  );
  assert.deepEqual(events, ['add chosen', 'update chosen']);
  assert.equal(informer.get(`${ns}/other`), undefined);
});

test('watches the apiserver ends are resumed from the last resourceVersion, without a relist', async (t) => {
  const ns = await cluster.createNamespace('informer-resume');
  const path = resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns });
  let lists = 0;
  const lister = collectionLister<Pvc>(kc, path);
  const { events, handler } = recorder();
  const informer = new Informer<Pvc>({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path,
    log,
    handler,
    watchTimeoutSeconds: 1,
    list: (query) => {
      lists++;
      return lister(query);
    },
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();
  for (const name of ['one', 'two', 'three']) {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the apiserver closes each watch after 1 s
    await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name }, spec } });
  }
  await waitFor('all three', async () => (informer.list().length === 3 ? true : undefined));
  assert.deepEqual(events, ['add one', 'add two', 'add three']);
  assert.equal(lists, 1, 'listed once: every later watch resumed where the last one ended');
  assert.equal(informer.restarts, 0);
});

test('the watchdog restarts a silent watch; resyncs and watchdog relists report differences only', async (t) => {
  const ns = await cluster.createNamespace('informer-quiet');
  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'quiet' }, spec } });
  const registry = new Registry();
  const reasons: RestartReason[] = [];
  const { events, handler } = recorder();
  const informer = new Informer<Pvc>({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path: resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }),
    log,
    handler,
    watchdogMs: 400,
    resyncPeriodMs: 700,
    metrics: createInformerMetrics(registry),
    onRestart: (reason) => reasons.push(reason),
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.whenSynced();
  await waitFor('two watchdog restarts', async () => (reasons.length >= 2 ? true : undefined), 10_000);
  assert.ok(
    reasons.every((reason) => reason === 'watchdog'),
    reasons.join(),
  );
  const metric = await registry.getSingleMetricAsString('backup_informer_restarts_total');
  assert.match(metric, /backup_informer_restarts_total\{resource="persistentvolumeclaims"\} [1-9]/);

  await core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'later' }, spec } });
  await waitFor('a change after the restarts', async () => informer.get(`${ns}/later`));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // more resyncs and watchdog relists of an unchanged world
  assert.deepEqual(events, ['add quiet', 'add later'], 'relists of an unchanged world report nothing');
});

test('stop() before the first list ends cleanly and whenSynced() answers false', async () => {
  const informer = new Informer<Pvc>({
    resource: 'persistentvolumeclaims',
    kubeConfig: kc,
    path: '/api/v1/namespaces/none/persistentvolumeclaims',
    log,
  });
  informer.start();
  const synced = informer.whenSynced();
  await informer.stop();
  assert.equal(await synced, false);
  assert.equal(await informer.whenSynced(), false);
});
