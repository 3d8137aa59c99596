// Least privilege, both ways, for the webhook (issue 11, item 4), as reconciler-rbac-grants.test.ts
// does for the reconciler: every verb the webhook's shipped RBAC grants has a call site in the code
// (the webhook and the certs workspace it runs), and what nothing calls is refused on the real
// apiserver (`kubectl auth can-i` as the ServiceAccount under exactly the shipped rules).
// (webhook-rbac.test.ts proves the other way: the webhook runs and decides under them.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { grantMismatches, listAndWatch, type CallSites } from '../harness/rbac-grants.ts';
import { shippedRbac } from '../harness/shipped-rbac.ts';
import { useTestCluster } from '../harness/test-cluster.ts';

const MANIFEST = 'manifests/core/webhook-rbac.yaml';
const SERVICE_ACCOUNT = 'longhorn-backup-guard-webhook';

const CALL_SITES: CallSites = {
  ...listAndWatch('/persistentvolumeclaims', {
    file: 'webhook/src/cache/pvc-cache.ts',
    uses: "plural: 'persistentvolumeclaims'",
  }),
  ...listAndWatch('storage.k8s.io/storageclasses', {
    file: 'webhook/src/cache/admission-caches.ts',
    uses: "plural: 'storageclasses'",
  }),
  ...listAndWatch('/namespaces', { file: 'webhook/src/cache/admission-caches.ts', uses: "plural: 'namespaces'" }),
  // A review for a namespace the cache does not hold yet (answers cached briefly, negative ones too).
  '/namespaces get': {
    file: 'webhook/src/cache/context-source.ts',
    uses: "method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, name)",
  },
  ...listAndWatch('apps/statefulsets', {
    file: 'webhook/src/cache/stateful-set-cache.ts',
    uses: "plural: 'statefulsets'",
  }),
  ...listAndWatch('longhorn.io/recurringjobs', {
    file: 'webhook/src/cache/recurring-job-cache.ts',
    uses: 'plural: LONGHORN_PLURALS.recurringJob',
  }),
  // caBundle injection into the product's own two configurations (kind: mutating or validating).
  ...Object.fromEntries(
    (['mutating', 'validating'] as const).flatMap((kind) => [
      [
        `admissionregistration.k8s.io/${kind}webhookconfigurations get`,
        { file: 'certs/src/inject-ca-bundle.ts', uses: "client.request<WebhookCaBundles>({ method: 'GET', path })" },
      ],
      [
        `admissionregistration.k8s.io/${kind}webhookconfigurations patch`,
        {
          file: 'certs/src/inject-ca-bundle.ts',
          uses: "client.request({ method: 'PATCH', path, body: patch, patch: 'json' })",
        },
      ],
    ]),
  ),
  '/secrets get': {
    file: 'certs/src/ensure-certificate-secret.ts',
    uses: "method: 'GET', path: objectPath(secrets(namespace), name)",
  },
  '/secrets update': {
    file: 'certs/src/ensure-certificate-secret.ts',
    uses: "method: 'PUT', path: objectPath(secrets(namespace), name)",
  },
  '/secrets create': {
    file: 'certs/src/ensure-certificate-secret.ts',
    uses: "method: 'POST', path: resourcePath(secrets(namespace))",
  },
};

test('every verb the webhook is granted has a call site in the code, and every call site is granted', () => {
  assert.deepEqual(grantMismatches(MANIFEST, CALL_SITES), []);
});

test('on the apiserver, as the webhook ServiceAccount: reads by name it never makes and every write but its own are refused', async () => {
  const cluster = await useTestCluster();
  const guardNs = await cluster.createNamespace('lbg-wh-grants-guard');
  const longhornNs = await cluster.createNamespace('lbg-wh-grants-longhorn');
  const app = await cluster.createNamespace('lbg-wh-grants-app');
  const clusterName = `lbg-wh-grants-${randomBytes(4).toString('hex')}`;
  const configuration = `${clusterName}-config`;
  const secret = `${clusterName}-tls`;
  const renamed: Record<string, string> = {
    'longhorn-backup-guard': configuration,
    'longhorn-backup-guard-webhook-tls': secret,
  };
  after(async () => {
    await cluster.kubectl(['delete', 'clusterrolebinding', clusterName, '--ignore-not-found']);
    await cluster.kubectl(['delete', 'clusterrole', clusterName, '--ignore-not-found']);
  });
  const yaml = shippedRbac({
    manifest: MANIFEST,
    clusterName,
    guardNamespace: guardNs,
    longhornNamespace: longhornNs,
    renameResource: (name) => renamed[name] ?? name,
  });
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(applied.code, 0, applied.stderr);
  const identity = `system:serviceaccount:${guardNs}:${SERVICE_ACCOUNT}`;
  const canI = async (verb: string, resource: string, namespace?: string) =>
    (
      await cluster.kubectl(['auth', 'can-i', verb, resource, ...(namespace === undefined ? [] : ['-n', namespace])], {
        as: identity,
      })
    ).stdout.trim();
  const refused: [string, string, string?][] = [
    // The caches list and watch; nothing reads these one by one.
    ['get', 'persistentvolumeclaims', app],
    ['get', 'storageclasses.storage.k8s.io'],
    ['get', 'statefulsets.apps', app],
    ['get', 'recurringjobs.longhorn.io', longhornNs],
    // The webhook writes no object it decides about.
    ['patch', 'persistentvolumeclaims', app],
    ['update', 'recurringjobs.longhorn.io', longhornNs],
    ['create', 'events', app],
    // Its own configurations only, by name, and only get and patch.
    ['patch', 'validatingwebhookconfigurations.admissionregistration.k8s.io/someone-elses'],
    ['update', `mutatingwebhookconfigurations.admissionregistration.k8s.io/${configuration}`],
    ['list', 'validatingwebhookconfigurations.admissionregistration.k8s.io'],
    // Its certificate's Secret only, and no Secret outside its namespace.
    ['get', `secrets/${clusterName}-other`, guardNs],
    ['list', 'secrets', guardNs],
    ['create', 'secrets', app],
  ];
  for (const [verb, resource, namespace] of refused)
    assert.equal(await canI(verb, resource, namespace), 'no', `${verb} ${resource} ${namespace ?? ''}`);
  const allowed: [string, string, string?][] = [
    ['list', 'persistentvolumeclaims', app],
    ['get', `namespaces/${app}`],
    ['watch', 'recurringjobs.longhorn.io', longhornNs],
    ['patch', `validatingwebhookconfigurations.admissionregistration.k8s.io/${configuration}`],
    ['update', `secrets/${secret}`, guardNs],
  ];
  for (const [verb, resource, namespace] of allowed)
    assert.equal(await canI(verb, resource, namespace), 'yes', `${verb} ${resource} ${namespace ?? ''}`);
});
