// The reconciler's index of name claims answers "which PVCs of the namespace claim this backup
// name?" and "whose desired job has this name?" without walking the cache. Whatever the sequence
// of adds, updates and deletes and whichever label prefix is in force (a change rebuilds it), it
// must give the PVCs a walk of every cached PVC gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { nameClaimOf } from '@longhorn-backup-guard/shared/intent/duplicate-names';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { NameClaims } from '@longhorn-backup-guard/reconciler/cache/name-claims';
import { intentOf } from '@longhorn-backup-guard/reconciler/model/intent-of';
import { P, pvc } from './snapshot-fixtures.ts';

// Namespaces with a '-' make job names that split more than one way (backup-team-a-db).
const NAMESPACES = ['team', 'team-a', 'a'];
const PREFIXES = [P, 'example.com'];
const NAMES = ['db', 'a-db', 'db-2', 'Bad_Name', ''];
const CONFIGS: readonly GuardConfig[] = PREFIXES.map((labelPrefix) => ({ ...defaultConfig, labelPrefix }));

const labelMap = fc.dictionary(
  fc.constantFrom(...PREFIXES.flatMap((prefix) => [`${prefix}/name`, `${prefix}/enabled`, `${prefix}/retain`])),
  fc.constantFrom(...NAMES, 'true', 'false', '3'),
  { maxKeys: 5 },
);
const change = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  labels: labelMap,
  deleted: fc.boolean(),
  /** Asked after this change: under which configuration, in which namespace, for which name. */
  ask: fc.record({
    config: fc.constantFrom(...CONFIGS),
    namespace: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
    jobName: fc.constantFrom(
      ...NAMESPACES.flatMap((namespace) => NAMES.map((name) => jobNameFor(namespace, name))),
      'backup-team',
      'other-team-db',
    ),
  }),
});

const keys = (pvcs: readonly V1PersistentVolumeClaim[]) =>
  pvcs.map((one) => `${one.metadata?.namespace}/${one.metadata?.name}`).sort();

test('the index gives the claimants a walk gives, through adds, updates, deletes and prefix changes', () => {
  fc.assert(
    fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
      // The informer's store: one object per namespace/name, replaced on every update.
      const store = new Map<string, V1PersistentVolumeClaim>();
      const index = new NameClaims(() => store.values());
      for (const { namespace, name, labels, deleted, ask } of changes) {
        const key = `${namespace}/${name}`;
        const previous = store.get(key);
        if (previous !== undefined) index.remove(previous);
        if (deleted) store.delete(key);
        else {
          const next = pvc(namespace, name, labels);
          store.set(key, next);
          index.put(next);
        }
        const claimed = (one: V1PersistentVolumeClaim) => nameClaimOf(intentOf(one, ask.config))?.name;
        const walk = [...store.values()];
        assert.deepEqual(
          keys(index.claimants(ask.namespace, ask.name, ask.config)),
          keys(walk.filter((one) => one.metadata?.namespace === ask.namespace && claimed(one) === ask.name)),
        );
        assert.deepEqual(
          keys(index.claimantsOfJob(ask.jobName, ask.config)),
          keys(
            walk.filter((one) => {
              const claim = claimed(one);
              return claim !== undefined && jobNameFor(one.metadata?.namespace ?? '', claim) === ask.jobName;
            }),
          ),
        );
      }
    }),
    { numRuns: 300 },
  );
});

test('a job name splits at every dash: both PVCs whose namespace and name join to it are its claimants', () => {
  const config = { ...defaultConfig, labelPrefix: P };
  const opted = (namespace: string, name: string, backupName: string) =>
    pvc(namespace, name, { [`${P}/enabled`]: 'true', [`${P}/name`]: backupName });
  const store = [opted('team', 'x', 'a-db'), opted('team-a', 'y', 'db'), opted('team-a', 'z', 'logs')];
  const index = new NameClaims(() => store);
  for (const one of store) index.put(one);
  assert.deepEqual(keys(index.claimantsOfJob('backup-team-a-db', config)), ['team-a/y', 'team/x']);
  assert.deepEqual(keys(index.claimants('team-a', 'logs', config)), ['team-a/z']);
});
