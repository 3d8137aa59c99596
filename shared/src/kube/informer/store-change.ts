// How watch events and relists change the informer's store, as plain functions: they update the
// map and return what changed, so the informer only has to tell its handlers. Stored objects are
// deep-frozen: the cache is shared, so a caller that wants to change one must copy it first.
import { deepFreeze } from '../../util/deep-freeze.ts';
import { objectKey, type KubeObject } from './object-key.ts';

export type StoreChange<T> =
  { type: 'add'; object: T } | { type: 'update'; old: T; object: T } | { type: 'delete'; object: T };

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Applies one watch event. ADDED of a known key is an update and MODIFIED of an unknown key an add
 * (a watch resumed after a relist can repeat or skip); DELETED of an unknown key changes nothing.
 */
export function applyWatchEvent<T extends KubeObject>(
  store: Map<string, T>,
  type: ObjectEventType,
  object: T,
): StoreChange<T> | undefined {
  const key = objectKey(object);
  const old = store.get(key);
  if (type === 'DELETED') {
    if (old === undefined) return undefined;
    store.delete(key);
    return { type: 'delete', object };
  }
  store.set(key, deepFreeze(object));
  return old === undefined ? { type: 'add', object } : { type: 'update', old, object };
}

/**
 * Replaces the store's content with a fresh listing and returns the differences: objects new to
 * the store, objects whose resourceVersion changed, and objects that vanished while the informer
 * was not watching (their last known state is reported as deleted, so no delete is ever lost).
 */
export function replaceWithListing<T extends KubeObject>(
  store: Map<string, T>,
  listed: readonly T[],
): StoreChange<T>[] {
  const changes: StoreChange<T>[] = [];
  const seen = new Set<string>();
  for (const object of listed) {
    const key = objectKey(object);
    seen.add(key);
    const old = store.get(key);
    // An unchanged object keeps its stored copy: a relist allocates nothing lasting for it.
    if (old !== undefined && old.metadata?.resourceVersion === object.metadata?.resourceVersion) continue;
    changes.push(old === undefined ? { type: 'add', object } : { type: 'update', old, object });
    store.set(key, deepFreeze(object));
  }
  for (const [key, old] of store) {
    if (!seen.has(key)) {
      store.delete(key);
      changes.push({ type: 'delete', object: old });
    }
  }
  return changes;
}
