// The reconciler's informer caches (ClusterCaches) on a real apiserver: what they hold and which
// keys they offer, read through snapshot() and allKeys() as reconcile and the full resync do.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { mergePatch } from '../harness/patch-content-types.ts';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import type { ArchiveWatch } from '@longhorn-backup-guard/reconciler/model/archive-contract';
import { ARCHIVE_WATCHES } from '@longhorn-backup-guard/reconciler/archive/archive-watches';
import { archiveLinkLabels } from '@longhorn-backup-guard/reconciler/archive/archive-link-labels';
import { scopeOf } from '@longhorn-backup-guard/shared/config/cache-scope';
import { ClusterCaches } from '@longhorn-backup-guard/reconciler/cache/reconciler-caches';
import { keyString, type PvcKey } from '@longhorn-backup-guard/reconciler/keys/pvc-key';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';

const cluster = await useTestCluster();
const custom = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };
const P = defaultConfig.labelPrefix;
const running: ClusterCaches[] = [];
after(async () => {
  await Promise.all(running.map((caches) => caches.stop()));
});

async function startCaches(
  config: GuardConfig,
  archiveWatches: readonly ArchiveWatch[],
  onKeys: (keys: readonly PvcKey[]) => void = () => {},
): Promise<ClusterCaches> {
  const caches = new ClusterCaches(scopeOf(config), {
    kubeConfig: cluster.kubeConfig(),
    config: () => config,
    archiveWatches,
    log: createLogger('caches-test', process.env.LOG_LEVEL ?? 'error'),
    relistPeriodMs: 600_000,
    onKeys,
  });
  running.push(caches);
  caches.start();
  assert.equal(await caches.whenSynced(), true);
  return caches;
}

async function createLonghornObject(
  namespace: string,
  plural: 'snapshots' | 'backups',
  name: string,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
  spec: Record<string, unknown>,
): Promise<void> {
  const kind = plural === 'snapshots' ? 'Snapshot' : 'Backup';
  await custom.createNamespacedCustomObject({
    ...longhorn,
    namespace,
    plural,
    body: { apiVersion: 'longhorn.io/v1beta2', kind, metadata: { name, ...metadata }, spec },
  });
}

const names = (objects: readonly unknown[] | undefined) =>
  (objects ?? []).map((object) => (object as { metadata: { name: string } }).metadata.name).sort();

test('archive informers list and watch only the objects their labelSelector picks (not the Backups Longhorn syncs from the target)', async () => {
  const lh = await cluster.createNamespace('lh-caches');
  const config: GuardConfig = { ...defaultConfig, longhornNamespace: lh, watchNamespaces: [] };
  const key: PvcKey = { namespace: 'shop', pvcName: 'db' };
  const archiveLabel = { [`${P}/archive-job`]: 'backup-shop-db' };
  // The product's selectors, with a keysOf that claims every object: whatever reaches the cache shows in `watched`.
  const greedy = ARCHIVE_WATCHES.filter((watch) => watch.labelSelector !== undefined).map((watch) => ({
    ...watch,
    keysOf: () => [key],
  }));
  await createLonghornObject(
    lh,
    'backups',
    'synced-before',
    { labels: { 'backup-volume': 'v' } },
    { snapshotName: 's' },
  );
  await createLonghornObject(lh, 'backups', 'archive-before', { labels: archiveLabel }, { snapshotName: 's' });
  await createLonghornObject(
    lh,
    'snapshots',
    'recurring-before',
    { labels: { RecurringJob: 'daily' } },
    { volume: 'v' },
  );
  const caches = await startCaches(config, greedy);
  const listed = caches.snapshot(key, config, new Date()).watched;
  assert.deepEqual(names(listed.get('backups')), ['archive-before'], 'the list is filtered');
  assert.deepEqual(names(listed.get('snapshots')), []);

  await createLonghornObject(
    lh,
    'backups',
    'synced-after',
    { labels: { 'backup-volume': 'v' } },
    { snapshotName: 's' },
  );
  await createLonghornObject(
    lh,
    'snapshots',
    'recurring-after',
    { labels: { RecurringJob: 'daily' } },
    { volume: 'v' },
  );
  await createLonghornObject(lh, 'snapshots', 'archive-after', { labels: archiveLabel }, { volume: 'v' });
  await createLonghornObject(lh, 'backups', 'archive-after', { labels: archiveLabel }, { snapshotName: 's' });
  const watched = await waitFor('the archive objects created after the list', async () => {
    const now = caches.snapshot(key, config, new Date()).watched;
    return names(now.get('backups')).length === 2 && names(now.get('snapshots')).length === 1 ? now : undefined;
  });
  assert.deepEqual(names(watched.get('backups')), ['archive-after', 'archive-before'], 'the watch is filtered');
  assert.deepEqual(names(watched.get('snapshots')), ['archive-after']);
});

test('the Volume of a deleted PVC: volumeNamed reads it from the one Volume cache, and its deletion enqueues the PVC Longhorn recorded', async () => {
  const lh = await cluster.createNamespace('lh-caches');
  const config: GuardConfig = { ...defaultConfig, longhornNamespace: lh, watchNamespaces: [] };
  const key: PvcKey = { namespace: 'shop', pvcName: 'gone-db' };
  await custom.createNamespacedCustomObject({
    ...longhorn,
    namespace: lh,
    plural: 'volumes',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Volume',
      metadata: { name: 'vol-gone-db' },
      spec: { size: '1073741824' },
    },
  });
  await custom.patchNamespacedCustomObjectStatus(
    {
      ...longhorn,
      namespace: lh,
      plural: 'volumes',
      name: 'vol-gone-db',
      body: { status: { kubernetesStatus: { namespace: 'shop', pvcName: 'gone-db', pvName: 'vol-gone-db' } } },
    },
    mergePatch,
  );
  const enqueued: string[] = [];
  const caches = await startCaches(config, ARCHIVE_WATCHES, (keys) => enqueued.push(...keys.map(keyString)));
  assert.equal(caches.snapshot(key, config, new Date()).pvc, undefined, 'no such PVC');
  assert.equal(caches.snapshot(key, config, new Date()).volumeNamed('vol-gone-db')?.metadata.name, 'vol-gone-db');
  assert.equal(caches.snapshot(key, config, new Date()).volumeNamed('vol-never'), undefined);

  enqueued.length = 0;
  await custom.deleteNamespacedCustomObject({ ...longhorn, namespace: lh, plural: 'volumes', name: 'vol-gone-db' });
  await waitFor('the Volume gone from the cache', async () =>
    caches.snapshot(key, config, new Date()).volumeNamed('vol-gone-db') === undefined ? true : undefined,
  );
  assert.ok(enqueued.includes(keyString(key)), `the deleted PVC's key is enqueued (got ${enqueued.join(', ')})`);
});

test('allKeys (the full resync) includes the keys of archive objects: the full name of a deleted PVC whose job label is cut', async () => {
  const lh = await cluster.createNamespace('lh-caches');
  const config: GuardConfig = { ...defaultConfig, longhornNamespace: lh, watchNamespaces: [] };
  const longName = `archived-${'x'.repeat(64)}`;
  const links = archiveLinkLabels(config, 'backup-shop-long', 'shop', longName);
  assert.notEqual(links[`${P}/source-pvc`], longName, 'the label holds a cut name');
  await createLonghornObject(
    lh,
    'snapshots',
    'archive-long',
    { labels: links, annotations: { [`${P}/archive-pvc`]: longName } },
    { volume: 'v' },
  );
  const caches = await startCaches(config, ARCHIVE_WATCHES);
  assert.ok(caches.allKeys().map(keyString).includes(`shop/${longName}`), 'the full-name key is resynced');
});
