// The StatefulSet trap at admission time, on the real apiserver: a real StatefulSet object and the
// PVCs its controller would create (`<template>-<statefulset>-<ordinal>`, the template's labels
// plus the selector's; no controller runs here, so the test creates them as it would, in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, type V1StatefulSet } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, pvcBody, useWebhookScene } from './webhook-support.ts';

const cluster = await useTestCluster();
let ns = '';
const scene = await useWebhookScene(cluster, {
  namespacePrefix: 'lbg-wh-sts',
  afterStart({ namespace }) {
    ns = namespace;
  },
});
const { kc, registration, classes } = scene;
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

function statefulSet(name: string, templateLabels: Record<string, string>): V1StatefulSet {
  return {
    metadata: { name },
    spec: {
      replicas: 2,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'registry.example/queue:1' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: templateLabels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: classes.longhorn,
            resources: { requests: { storage: '1Gi' } },
          },
        },
      ],
    },
  };
}

/** The PVC the StatefulSet controller creates for replica `ordinal`. */
function replicaPvc(set: V1StatefulSet, ordinal: number) {
  const template = set.spec?.volumeClaimTemplates?.[0];
  const body = pvcBody(
    `${template?.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`,
    { ...template?.metadata?.labels, ...set.spec?.selector.matchLabels },
    classes.longhorn,
  );
  return core.createNamespacedPersistentVolumeClaim({ namespace: ns, body });
}

function bodyOf(error: unknown): string {
  return String((error as { body?: unknown }).body);
}

test('a template that sets <p>/name: the second replica is refused with advice a StatefulSet can follow', async () => {
  const set = statefulSet('queue', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'queue-data' });
  await apps.createNamespacedStatefulSet({ namespace: ns, body: set });
  await replicaPvc(set, 0);
  // The webhook's StatefulSet cache follows a watch: wait until it knows this one.
  const refusal = await waitFor('the StatefulSet-aware refusal', async () => {
    const message = await replicaPvc(set, 1).then(
      () => 'admitted',
      (error: unknown) => (JSON.parse(bodyOf(error)) as { message: string }).message,
    );
    if (message === 'admitted') throw new Error('replica 1 was admitted');
    return message.includes('StatefulSet') ? message : undefined;
  });
  assert.equal(
    refusal,
    `admission webhook "${registration.validatingWebhookName}" denied the request: PVC "data-queue-1": ${P}/name="queue-data" is also used by PVC "data-queue-0" in namespace "${ns}": ` +
      `this PVC is replica 1 of StatefulSet "queue", whose volumeClaimTemplate "data" sets ${P}/name=queue-data for every replica, so all its replicas ask for the one job backup-${ns}-queue-data ` +
      `and the StatefulSet stalls here: remove ${P}/name from the template; the webhook then names each replica's backup after its own PVC (here ${P}/name=data-queue-1). ` +
      'volumeClaimTemplates cannot be changed in place: delete the StatefulSet with --cascade=orphan (its Pods and PVCs stay) and apply it again',
  );
  assert.doesNotMatch(refusal, /e\.g\./, 'no example name: a StatefulSet cannot give one replica its own label');
});

test('a template without <p>/name: every replica is admitted, its backup named after its own PVC', async () => {
  const set = statefulSet('cache', { [`${P}/enabled`]: 'true' });
  await apps.createNamespacedStatefulSet({ namespace: ns, body: set });
  const names = [];
  for (const ordinal of [0, 1, 2]) names.push((await replicaPvc(set, ordinal)).metadata?.labels?.[`${P}/name`]);
  assert.deepEqual(names, ['data-cache-0', 'data-cache-1', 'data-cache-2']);
});

test('a duplicate that is no StatefulSet replica keeps the general advice and its example', async () => {
  const set = statefulSet('other', {});
  await apps.createNamespacedStatefulSet({ namespace: ns, body: set });
  await core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: pvcBody('first', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'shared' }, classes.longhorn),
  });
  await assert.rejects(
    core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: pvcBody('data-other-7', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'shared' }, classes.longhorn),
    }),
    (error) =>
      bodyOf(error).includes(`give each PVC its own name (e.g. ${P}/name=shared-2)`) &&
      !bodyOf(error).includes('StatefulSet'),
  );
});
