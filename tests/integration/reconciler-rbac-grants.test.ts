// Least privilege, both ways (issue 11, item 4): every verb the reconciler's shipped RBAC grants
// has a call site in the code (a grant nobody uses fails here), and the grants nothing used are
// gone, proved on the real apiserver with `kubectl auth can-i` as the ServiceAccount under exactly
// the shipped rules. (reconciler-rbac.test.ts proves the other way: the whole product runs under them.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { grantMismatches, listAndWatch, type CallSites } from '../harness/rbac-grants.ts';
import { shippedRbac } from '../harness/shipped-rbac.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { ReconcilerWorld } from './reconciler-fixture.ts';

const MANIFEST = 'manifests/core/reconciler-rbac.yaml';

/** `group/resource verb` -> where the code uses it: a file and a text that must be in it. */
const CALL_SITES: CallSites = {
  ...listAndWatch('/persistentvolumeclaims', {
    file: 'reconciler/src/cache/reconciler-caches.ts',
    uses: "plural: 'persistentvolumeclaims'",
  }),
  '/persistentvolumeclaims patch': {
    file: 'reconciler/src/execute/execute-actions.ts',
    uses: "{ version: 'v1', namespace: target.namespace, plural: 'persistentvolumeclaims' }",
  },
  '/persistentvolumes list': { file: 'reconciler/src/cache/reconciler-caches.ts', uses: "plural: 'persistentvolumes'" },
  '/persistentvolumes watch': {
    file: 'reconciler/src/cache/reconciler-caches.ts',
    uses: "plural: 'persistentvolumes'",
  },
  ...listAndWatch('storage.k8s.io/storageclasses', {
    file: 'reconciler/src/cache/reconciler-caches.ts',
    uses: "plural: 'storageclasses'",
  }),
  '/events create': {
    file: 'reconciler/src/events/event-recorder.ts',
    uses: "client.request({ method: 'POST', path: events, body })",
  },
  ...listAndWatch('longhorn.io/recurringjobs', {
    file: 'reconciler/src/cache/reconciler-caches.ts',
    uses: 'longhorn(LONGHORN_PLURALS.recurringJob)',
  }),
  'longhorn.io/recurringjobs create': {
    file: 'reconciler/src/decide/decide-present-pvc.ts',
    uses: "type: 'create', target, body: desired",
  },
  'longhorn.io/recurringjobs patch': {
    file: 'reconciler/src/decide/decide-present-pvc.ts',
    uses: "type: 'patch', target: jobTarget(",
  },
  'longhorn.io/recurringjobs delete': {
    file: 'reconciler/src/decide/decide-present-pvc.ts',
    uses: "type: 'delete', target: jobTarget(",
  },
  ...listAndWatch('longhorn.io/volumes', {
    file: 'reconciler/src/cache/reconciler-caches.ts',
    uses: 'longhorn(LONGHORN_PLURALS.volume)',
  }),
  'longhorn.io/volumes patch': {
    file: 'reconciler/src/decide/decide-present-pvc.ts',
    uses: "type: 'patch', target: volumeTarget(",
  },
  ...listAndWatch('longhorn.io/snapshots', {
    file: 'reconciler/src/archive/archive-watches.ts',
    uses: 'plural: LONGHORN_PLURALS.snapshot',
  }),
  'longhorn.io/snapshots create': {
    file: 'reconciler/src/archive/archive-workflow.ts',
    uses: 'resource: LONGHORN_PLURALS.snapshot',
  },
  ...listAndWatch('longhorn.io/backups', {
    file: 'reconciler/src/archive/archive-watches.ts',
    uses: 'plural: LONGHORN_PLURALS.backup',
  }),
  'longhorn.io/backups create': {
    file: 'reconciler/src/archive/archive-workflow.ts',
    uses: 'resource: LONGHORN_PLURALS.backup',
  },
  ...listAndWatch('/configmaps', { file: 'reconciler/src/config/config-map-source.ts', uses: "plural: 'configmaps'" }),
  'coordination.k8s.io/leases get': {
    file: 'reconciler/src/machinery/leader-election.ts',
    uses: "method: 'GET', path: objectPath(this.#leases, name)",
  },
  'coordination.k8s.io/leases update': {
    file: 'reconciler/src/machinery/leader-election.ts',
    uses: "method: 'PUT', path: objectPath(this.#leases, name)",
  },
  'coordination.k8s.io/leases create': {
    file: 'reconciler/src/machinery/leader-election.ts',
    uses: "method: 'POST', path: resourcePath(this.#leases)",
  },
};

test('every verb the reconciler is granted has a call site in the code, and every call site is granted', () => {
  assert.deepEqual(grantMismatches(MANIFEST, CALL_SITES), []);
});

test('on the apiserver, as the ServiceAccount: the grants nothing used are gone (update jobs, patch or events.k8s.io Events, get)', async () => {
  const cluster = await useTestCluster();
  const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
  const [app = ''] = world.apps;
  const clusterName = `lbg-grants-${randomBytes(4).toString('hex')}`;
  after(async () => {
    await world.stopAll();
    await cluster.kubectl(['delete', 'clusterrolebinding', clusterName, '--ignore-not-found']);
    await cluster.kubectl(['delete', 'clusterrole', clusterName, '--ignore-not-found']);
  });
  const yaml = shippedRbac({
    manifest: MANIFEST,
    clusterName,
    guardNamespace: world.guardNs,
    longhornNamespace: world.longhornNs,
    renameResource: () => world.leaseName,
  });
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(applied.code, 0, applied.stderr);
  const identity = `system:serviceaccount:${world.guardNs}:longhorn-backup-guard-reconciler`;
  const canI = async (verb: string, resource: string, namespace: string) =>
    (await cluster.kubectl(['auth', 'can-i', verb, resource, '-n', namespace], { as: identity })).stdout.trim();
  const refused: [string, string, string][] = [
    ['update', 'recurringjobs.longhorn.io', world.longhornNs],
    ['get', 'recurringjobs.longhorn.io', world.longhornNs],
    ['get', 'volumes.longhorn.io', world.longhornNs],
    ['patch', 'events', app],
    ['create', 'events.events.k8s.io', app],
    ['get', 'persistentvolumeclaims', app],
    ['get', 'persistentvolumes', app],
    ['get', 'configmaps', world.guardNs],
  ];
  for (const [verb, resource, namespace] of refused)
    assert.equal(await canI(verb, resource, namespace), 'no', `${verb} ${resource}`);
  for (const [verb, resource, namespace] of [
    ['list', 'persistentvolumes', app],
    ['create', 'events', app],
    ['patch', 'recurringjobs.longhorn.io', world.longhornNs],
  ] as const) {
    assert.equal(await canI(verb, resource, namespace), 'yes', `${verb} ${resource}`);
  }
});
