import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideMutation } from '@longhorn-backup-guard/webhook/decide/decide-mutation';
import { P, applyJsonPatch, context, decodePatch, labels, pvc, request } from './review-fixtures.ts';
import { withPolicies } from '../../fixtures/policy-config.ts';

const policy = `${P}/default-enabled`;

/** The labels the PVC has once the response's patch is applied (as the apiserver applies it). */
function mutatedLabels(object: ReturnType<typeof pvc>, options: Parameters<typeof context>[0] = {}, name?: string) {
  const req = request('CREATE', object);
  const response = decideMutation(name === undefined ? req : { ...req, name }, context(options));
  assert.equal(response.allowed, true);
  assert.equal(response.uid, 'uid-1');
  const patched = applyJsonPatch(object, decodePatch(response.patch)) as {
    metadata: { labels?: Record<string, string> };
  };
  return { labels: patched.metadata.labels, response };
}

test('enabled from the namespace policy label, and the name from the PVC name', () => {
  const { labels: result, response } = mutatedLabels(pvc('data-pvc'), { namespaceLabels: { [policy]: 'true' } });
  assert.deepEqual(result, labels({ enabled: 'true', name: 'data-pvc' }));
  assert.equal(response.patchType, 'JSONPatch');
  // No labels map at all: the map is added whole.
  assert.deepEqual(decodePatch(response.patch), [
    { op: 'add', path: '/metadata/labels', value: labels({ enabled: 'true', name: 'data-pvc' }) },
  ]);
});

test('into an existing labels map, keys are added one by one with ~1 for the slash', () => {
  const { response, labels: result } = mutatedLabels(pvc('data-pvc', { app: 'db' }), {
    namespaceLabels: { [policy]: 'true' },
  });
  assert.deepEqual(decodePatch(response.patch), [
    { op: 'add', path: `/metadata/labels/${P.replaceAll('/', '~1')}~1enabled`, value: 'true' },
    { op: 'add', path: `/metadata/labels/${P}~1name`, value: 'data-pvc' },
  ]);
  assert.deepEqual(result, { app: 'db', ...labels({ enabled: 'true', name: 'data-pvc' }) });
  // labels: null is replaced whole as well.
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc', null), { namespaceLabels: { [policy]: 'false' } }).labels,
    labels({ enabled: 'false' }),
  );
});

test('the cluster default applies when the namespace says nothing; the namespace wins over it', () => {
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc'), { configChanges: { clusterDefaultEnabled: true } }).labels,
    labels({ enabled: 'true', name: 'data-pvc' }),
  );
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc'), { configChanges: { clusterDefaultEnabled: false } }).labels,
    labels({ enabled: 'false' }),
  );
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc'), {
      configChanges: { clusterDefaultEnabled: true },
      namespaceLabels: { [policy]: 'false' },
    }).labels,
    labels({ enabled: 'false' }),
  );
  // A custom policy label key from the configuration.
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc'), {
      configChanges: { namespacePolicyLabel: 'example.com/backup' },
      namespaceLabels: { 'example.com/backup': 'true' },
    }).labels,
    labels({ enabled: 'true', name: 'data-pvc' }),
  );
});

test('a policy label that is not true/false is ignored, with a warning', () => {
  const { labels: result, response } = mutatedLabels(pvc('data-pvc'), {
    namespaceLabels: { [policy]: 'yes' },
    configChanges: { clusterDefaultEnabled: false },
  });
  assert.deepEqual(result, labels({ enabled: 'false' }));
  assert.deepEqual(response.warnings, [
    `namespace "team" has ${policy}="yes", which is not true or false: it is ignored`,
  ]);
});

test('nothing to default: no patch at all', () => {
  assert.deepEqual(decideMutation(request('CREATE', pvc('data-pvc')), context()), { uid: 'uid-1', allowed: true });
  // An explicit enabled (valid or not) is never overridden.
  for (const enabled of ['false', 'yes']) {
    assert.deepEqual(
      decideMutation(
        request('CREATE', pvc('data-pvc', labels({ enabled }))),
        context({ namespaceLabels: { [policy]: 'true' } }),
      ),
      { uid: 'uid-1', allowed: true },
    );
  }
  // A given name is kept.
  assert.deepEqual(
    decideMutation(request('CREATE', pvc('data-pvc', labels({ enabled: 'true', name: 'mine' }))), context()),
    { uid: 'uid-1', allowed: true },
  );
});

test('enabled=true without a name: the PVC name is filled in only when it makes a valid name', () => {
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc', labels({ enabled: 'true' }))).labels,
    labels({ enabled: 'true', name: 'data-pvc' }),
  );
  // Too long for the 40-character job name: left for the validating webhook to explain.
  const long = 'a-pvc-name-that-is-too-long-for-a-job-name';
  assert.deepEqual(decideMutation(request('CREATE', pvc(long, labels({ enabled: 'true' }))), context()), {
    uid: 'uid-1',
    allowed: true,
  });
  // generateName: no name yet at the mutating stage.
  assert.deepEqual(
    mutatedLabels(
      pvc('', undefined, { storageClassName: 'longhorn' }, { generateName: 'data-' }),
      { namespaceLabels: { [policy]: 'true' } },
      '',
    ).labels,
    labels({ enabled: 'true' }),
  );
});

test('left untouched: other provisioner, unknown class, excluded namespace, UPDATE and DELETE', () => {
  const withPolicy = { namespaceLabels: { [policy]: 'true' } };
  const untouched = { uid: 'uid-1', allowed: true };
  assert.deepEqual(
    decideMutation(request('CREATE', pvc('data-pvc', undefined, { storageClassName: 'nfs' })), context(withPolicy)),
    untouched,
  );
  assert.deepEqual(
    decideMutation(request('CREATE', pvc('data-pvc', undefined, { storageClassName: 'missing' })), context(withPolicy)),
    untouched,
  );
  assert.deepEqual(
    decideMutation(
      request('CREATE', pvc('data-pvc')),
      context({ ...withPolicy, configChanges: { excludedNamespaces: ['team'] } }),
    ),
    untouched,
  );
  assert.deepEqual(decideMutation(request('UPDATE', pvc('data-pvc'), pvc('data-pvc')), context(withPolicy)), untouched);
  assert.deepEqual(decideMutation(request('DELETE', null, pvc('data-pvc')), context(withPolicy)), untouched);
});

test("the namespace's default policy: filled on opted-in PVCs that name none and set no schedule label", () => {
  const configChanges = { policies: withPolicies().policies };
  const namespaceLabels = { [policy]: 'true', [`${P}/default-policy`]: 'standard' };
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc'), { configChanges, namespaceLabels }).labels,
    labels({ enabled: 'true', policy: 'standard', name: 'data-pvc' }),
  );
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc', labels({ interval: '6' })), { configChanges, namespaceLabels }).labels,
    labels({ interval: '6', enabled: 'true', name: 'data-pvc' }),
  );
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc', labels({ policy: 'frequent' })), { configChanges, namespaceLabels }).labels,
    labels({ policy: 'frequent', enabled: 'true', name: 'data-pvc' }),
  );
  assert.deepEqual(
    mutatedLabels(pvc('data-pvc', labels({ enabled: 'false' })), { configChanges, namespaceLabels }).labels,
    labels({ enabled: 'false' }),
  );
  const unknown = mutatedLabels(pvc('data-pvc'), {
    configChanges,
    namespaceLabels: { ...namespaceLabels, [`${P}/default-policy`]: 'gold' },
  });
  assert.deepEqual(unknown.labels, labels({ enabled: 'true', name: 'data-pvc' }));
  assert.match(unknown.response.warnings?.join() ?? '', /default-policy="gold", which is not a policy of this cluster/);
});
