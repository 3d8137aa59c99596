import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectKey, splitObjectKey, type KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { applyWatchEvent, replaceWithListing } from '@longhorn-backup-guard/shared/kube/informer/store-change';

function pvc(namespace: string, name: string, resourceVersion: string): KubeObject {
  return { metadata: { namespace, name, resourceVersion } };
}

function storeOf(...objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((object) => [objectKey(object), object]));
}

test('keys are namespace/name, or name for cluster-scoped objects, and split back', () => {
  assert.equal(objectKey(pvc('apps', 'data', '1')), 'apps/data');
  assert.equal(objectKey({ metadata: { name: 'longhorn' } }), 'longhorn');
  assert.deepEqual(splitObjectKey('apps/data'), { namespace: 'apps', name: 'data' });
  assert.deepEqual(splitObjectKey('longhorn'), { name: 'longhorn' });
  assert.throws(() => objectKey({ metadata: {} }), /without metadata.name/);
});

test('collection paths for core, grouped, namespaced and cluster-wide resources', () => {
  assert.equal(resourcePath({ version: 'v1', plural: 'persistentvolumeclaims' }), '/api/v1/persistentvolumeclaims');
  assert.equal(
    resourcePath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: 'apps' }),
    '/api/v1/namespaces/apps/persistentvolumeclaims',
  );
  assert.equal(
    resourcePath({ group: 'longhorn.io', version: 'v1beta2', plural: 'recurringjobs', namespace: 'longhorn-system' }),
    '/apis/longhorn.io/v1beta2/namespaces/longhorn-system/recurringjobs',
  );
  assert.equal(
    resourcePath({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' }),
    '/apis/storage.k8s.io/v1/storageclasses',
  );
});

test('watch events: add, update, delete; repeated ADDED is an update; unknown DELETED changes nothing', () => {
  const store = storeOf();
  assert.deepEqual(applyWatchEvent(store, 'ADDED', pvc('a', 'x', '1')), { type: 'add', object: pvc('a', 'x', '1') });
  assert.deepEqual(applyWatchEvent(store, 'ADDED', pvc('a', 'x', '2')), {
    type: 'update',
    old: pvc('a', 'x', '1'),
    object: pvc('a', 'x', '2'),
  });
  assert.deepEqual(applyWatchEvent(store, 'MODIFIED', pvc('a', 'y', '3')), { type: 'add', object: pvc('a', 'y', '3') });
  assert.deepEqual(applyWatchEvent(store, 'DELETED', pvc('a', 'x', '4')), {
    type: 'delete',
    object: pvc('a', 'x', '4'),
  });
  assert.equal(applyWatchEvent(store, 'DELETED', pvc('a', 'gone', '5')), undefined);
  assert.deepEqual([...store.keys()], ['a/y']);
});

test('a relist reports adds, changed objects and objects deleted meanwhile, and nothing else', () => {
  const store = storeOf(pvc('a', 'same', '1'), pvc('a', 'changed', '2'), pvc('a', 'deleted', '3'));
  const changes = replaceWithListing(store, [pvc('a', 'same', '1'), pvc('a', 'changed', '7'), pvc('a', 'new', '8')]);
  assert.deepEqual(changes, [
    { type: 'update', old: pvc('a', 'changed', '2'), object: pvc('a', 'changed', '7') },
    { type: 'add', object: pvc('a', 'new', '8') },
    { type: 'delete', object: pvc('a', 'deleted', '3') },
  ]);
  assert.deepEqual([...store.keys()].sort(), ['a/changed', 'a/new', 'a/same']);
});

test('a relist of an unchanged world reports nothing; of an empty one, deletes everything', () => {
  const store = storeOf(pvc('a', 'x', '1'), pvc('b', 'x', '2'));
  assert.deepEqual(replaceWithListing(store, [pvc('b', 'x', '2'), pvc('a', 'x', '1')]), []);
  assert.deepEqual(
    replaceWithListing(store, []).map((change) => change.type),
    ['delete', 'delete'],
  );
  assert.equal(store.size, 0);
});

test('stored objects are deep-frozen: the shared cache cannot be changed by accident', () => {
  const store = storeOf();
  applyWatchEvent(store, 'ADDED', pvc('a', 'x', '1'));
  replaceWithListing(store, [pvc('a', 'y', '2')]);
  const stored = store.get('a/y');
  assert.ok(stored?.metadata && Object.isFrozen(stored.metadata));
  assert.throws(() => {
    (stored.metadata as { name: string }).name = 'changed';
  }, TypeError);
});

test('a relist keeps the stored copy of an unchanged object (nothing new to hold, memos stay valid)', () => {
  const kept = pvc('a', 'same', '1');
  const store = storeOf(kept);
  replaceWithListing(store, [pvc('a', 'same', '1')]);
  assert.equal(store.get('a/same'), kept);
});
