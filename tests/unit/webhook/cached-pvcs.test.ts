// The PVC cache answers "which PVCs of the namespace have this backup name?" from an index kept by
// the informer's add/update/delete handlers. Whatever the sequence of changes and whichever label
// key is asked (a prefix change rebuilds it), it must give the PVCs a walk of the cache gives, and
// the duplicate-name check must find the same violations with it as with the walk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CachedPvcs } from '@longhorn-backup-guard/webhook/cache/cached-pvcs';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import { pvcViolations } from '@longhorn-backup-guard/webhook/decide/admission-violations';
import { listedPvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';
import { P, context, labels, pvc } from './review-fixtures.ts';

const NAMESPACES = ['team', 'other'];
const PREFIXES = [P, 'example.com'];
const NAMES = ['db', 'logs', 'db-2', ''];

const labelMap = fc.dictionary(
  fc.constantFrom(...PREFIXES.flatMap((prefix) => [`${prefix}/name`, `${prefix}/enabled`]), 'app'),
  fc.constantFrom(...NAMES, 'true'),
  { maxKeys: 4 },
);
const change = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  labels: labelMap,
  deleted: fc.boolean(),
  terminating: fc.boolean(),
  storageClassName: fc.constantFrom('longhorn', 'nfs', undefined),
  /** Asked after this change: under which prefix, in which namespace, for which name. */
  ask: fc.record({
    prefix: fc.constantFrom(...PREFIXES),
    namespace: fc.constantFrom(...NAMESPACES),
    value: fc.constantFrom(...NAMES),
  }),
});

type Cached = PvcLike & { readonly metadata: { readonly name: string; readonly namespace: string } };

const names = (pvcs: readonly PvcLike[]) => pvcs.map((one) => one.metadata?.name ?? '').sort();

test('the index gives the PVCs a walk gives, through adds, updates, deletes and prefix changes', () => {
  fc.assert(
    fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
      // The informer's store: one object per namespace/name, replaced on every update (objects are frozen).
      const store = new Map<string, Cached>();
      const cache = new CachedPvcs<Cached>();
      for (const { namespace, name, labels: pvcLabels, deleted, terminating, storageClassName, ask } of changes) {
        const key = `${namespace}/${name}`;
        const previous = store.get(key);
        if (deleted) {
          if (previous !== undefined) {
            store.delete(key);
            cache.remove(previous);
          }
        } else {
          const next: Cached = {
            metadata: {
              name,
              namespace,
              labels: pvcLabels,
              ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
            },
            spec: { storageClassName },
          };
          store.set(key, next);
          cache.put(next);
        }
        // What a walk of the cache sees.
        const inNamespace = [...store.values()].filter((one) => one.metadata.namespace === ask.namespace);
        const labelKey = `${ask.prefix}/name`;
        assert.deepEqual(names(cache.inNamespace(ask.namespace).all()), names(inNamespace));
        assert.deepEqual(
          names(cache.inNamespace(ask.namespace).labelled(labelKey, ask.value)),
          names(listedPvcs(inNamespace).labelled(labelKey, ask.value)),
        );

        // The duplicate-name check of a PVC under review, with the index and with the walk.
        const reviewed = pvc('reviewed', labels({ enabled: 'true', name: ask.value || 'db' }));
        const config = { labelPrefix: P };
        const withIndex = pvcViolations(ask.namespace, 'reviewed', reviewed, {
          ...context({ configChanges: config }),
          namespacePvcs: cache.inNamespace(ask.namespace),
        });
        const withWalk = pvcViolations(
          ask.namespace,
          'reviewed',
          reviewed,
          context({ configChanges: config, namespacePvcs: inNamespace }),
        );
        assert.deepEqual(withIndex, withWalk);
      }
    }),
    { numRuns: 300 },
  );
});
