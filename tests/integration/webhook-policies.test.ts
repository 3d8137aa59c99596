// Backup policies at kubectl apply time, through the real webhook behind a real kube-apiserver:
// an unknown policy is refused listing the known ones, a policy with a schedule label is refused
// saying which to remove, and a namespace's default policy is filled in on new opted-in PVCs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { withPolicies } from '../fixtures/policy-config.ts';
import { P, pvcYaml, useWebhookScene } from './webhook-support.ts';

const cluster = await useTestCluster();
let ns = '';
const scene = await useWebhookScene(cluster, {
  namespacePrefix: 'lbg-whp',
  config: withPolicies(),
  afterStart({ namespace }) {
    ns = namespace;
  },
});
const { kc, registration, classes } = scene;
const core = kc.makeApiClient(CoreV1Api);

const l = (entries: Record<string, string>) =>
  Object.fromEntries(Object.entries(entries).map(([key, value]) => [`${P}/${key}`, value]));

async function apply(name: string, labels: Record<string, string>, namespace = ns) {
  return cluster.kubectl(['apply', '-f', '-'], { input: pvcYaml(namespace, name, labels, classes.longhorn) });
}

const denied = (pvc: string, message: string) =>
  `Error from server (Forbidden): error when creating "STDIN": admission webhook "${registration.validatingWebhookName}" denied the request: PVC "${pvc}": ${message}\n`;

test('a known policy is admitted', async () => {
  const result = await apply('on-standard', l({ enabled: 'true', policy: 'standard' }));
  assert.equal(result.code, 0, result.stderr);
});

test('an unknown policy is refused, listing the known ones', async () => {
  const result = await apply('on-gold', l({ enabled: 'true', policy: 'gold' }));
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    denied(
      'on-gold',
      `${P}/policy="gold" is not a policy of this cluster: use standard or frequent (e.g. ${P}/policy=standard)`,
    ),
  );
});

test('policy with interval and start is refused, saying which to remove', async () => {
  const result = await apply('mixed', l({ enabled: 'true', policy: 'standard', interval: '6', start: '0100' }));
  assert.equal(result.code, 1);
  const remove = `remove this label (the policy's schedules say when to back up and how many to keep), or remove ${P}/policy`;
  assert.equal(
    result.stderr,
    `Error from server (Forbidden): error when creating "STDIN": admission webhook "${registration.validatingWebhookName}" denied the request: PVC "mixed" has 2 problems with its backup labels:\n- ${P}/interval="6" cannot be combined with ${P}/policy=standard: ${remove}\n- ${P}/start="0100" cannot be combined with ${P}/policy=standard: ${remove}\n`,
  );
});

test('adding a policy label to a PVC with its own schedule is refused on update too', async () => {
  assert.equal((await apply('own-schedule', l({ enabled: 'true', interval: '6' }))).code, 0);
  const result = await cluster.kubectl(['label', '-n', ns, 'pvc', 'own-schedule', `${P}/policy=standard`]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /interval="6" cannot be combined with backup\.vluwte\.nl\/policy=standard/);
});

test("the namespace's default policy is filled in on new opted-in PVCs that set no schedule", async () => {
  const defaulted = await cluster.createNamespace('lbg-whp-default', {
    ...registration.namespaceLabels,
    [`${P}/default-enabled`]: 'true',
    [`${P}/default-policy`]: 'standard',
  });
  assert.equal((await apply('plain', {}, defaulted)).code, 0);
  assert.equal((await apply('own', l({ interval: '12' }), defaulted)).code, 0);
  assert.equal((await apply('other', l({ policy: 'frequent' }), defaulted)).code, 0);
  assert.equal((await apply('out', l({ enabled: 'false' }), defaulted)).code, 0);
  const labelsOf = async (name: string) =>
    (await core.readNamespacedPersistentVolumeClaim({ namespace: defaulted, name })).metadata?.labels;
  assert.deepEqual(await labelsOf('plain'), l({ enabled: 'true', policy: 'standard', name: 'plain' }));
  assert.deepEqual(await labelsOf('own'), l({ enabled: 'true', interval: '12', name: 'own' }));
  assert.deepEqual(await labelsOf('other'), l({ enabled: 'true', policy: 'frequent', name: 'other' }));
  assert.deepEqual(await labelsOf('out'), l({ enabled: 'false' }));
});

test('a default policy the cluster does not have is ignored with a warning kubectl prints', async () => {
  const defaulted = await cluster.createNamespace('lbg-whp-unknown', {
    ...registration.namespaceLabels,
    [`${P}/default-enabled`]: 'true',
    [`${P}/default-policy`]: 'gold',
  });
  const result = await apply('plain', {}, defaulted);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /default-policy="gold", which is not a policy of this cluster \(known: standard, frequent\): it is ignored/,
  );
});
