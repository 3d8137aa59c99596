// The pooled transport (shared/src/kube/pooled-kube-config.ts) against the real apiserver, through a
// TCP relay that counts the connections: 1,000 calls of every kind the components make (typed
// reads and creates, custom objects, raw lists, a watch running all along) open a handful of
// connections, where client-node as it comes opens one per call; an in-cluster ServiceAccount token
// that is rotated on disk is picked up without a new connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthenticationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import { listCollection } from '@longhorn-backup-guard/shared/kube/informer/list-collection';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { PooledKubeConfig } from '@longhorn-backup-guard/shared/kube/pooled-kube-config';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startCuttableProxy } from './machinery-cuttable-proxy.ts';

const cluster = await useTestCluster();
const admin = cluster.kubeConfig();
const log = createLogger('test', 'silent');

/** Runs `count` calls, `concurrency` at a time. */
async function run(count: number, concurrency: number, call: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

/** The mix of calls the components make, through `kc`. */
function mixedCalls(kc: KubeConfig, namespace: string): (index: number) => Promise<unknown> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const configMaps = resourcePath({ version: 'v1', plural: 'configmaps', namespace });
  return (index) => {
    switch (index % 4) {
      case 0:
        return core.readNamespace({ name: namespace });
      case 1:
        return custom.listNamespacedCustomObject({
          group: 'longhorn.io',
          version: 'v1beta2',
          namespace,
          plural: 'recurringjobs',
        });
      case 2:
        return listCollection(kc, configMaps);
      default:
        return core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `call-${index}` } } });
    }
  };
}

test('1,000 calls of every kind, with a watch open all along, share a handful of connections', async (t) => {
  const ns = await cluster.createNamespace('pooled');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const kc = new PooledKubeConfig();
  kc.loadFromFile(cluster.info.kubeconfigPath);
  proxy.kubeConfigThrough(kc);
  t.after(() => kc.closeTransport());

  const seen = new Set<string>();
  const informer = new Informer<KubeObject>({
    resource: 'configmaps',
    kubeConfig: kc,
    path: resourcePath({ version: 'v1', plural: 'configmaps', namespace: ns }),
    log,
    handler: { onAdd: (object) => seen.add(object.metadata?.name ?? '') },
  });
  t.after(() => informer.stop());
  informer.start();
  assert.equal(await informer.whenSynced(), true);

  // Right after the control plane starts, the RecurringJob storage may still answer 429 (initializing).
  const jobs = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
  await waitFor('RecurringJob storage ready', () =>
    jobs
      .listNamespacedCustomObject({ group: 'longhorn.io', version: 'v1beta2', namespace: ns, plural: 'recurringjobs' })
      .then(
        () => true,
        () => undefined,
      ),
  );
  await run(1_000, 8, mixedCalls(kc, ns));
  // The watch delivered every create: it ran over the same pool the whole time.
  await waitFor('the watch to see the 250 ConfigMaps', async () =>
    seen.has('call-999') && seen.has('call-3') ? true : undefined,
  );
  t.diagnostic(`1,000 calls and a watch opened ${proxy.accepted} connection(s)`);
  assert.ok(proxy.accepted <= 4, `1,000 calls opened ${proxy.accepted} connections`);
});

test('client-node as it comes opens a connection per call (kubernetes-client/javascript#2893), which the pool removes', async (t) => {
  const ns = await cluster.createNamespace('unpooled');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const plain = proxy.kubeConfigThrough(cluster.kubeConfig());
  await run(100, 4, mixedCalls(plain, ns));
  assert.ok(proxy.accepted >= 100, `client-node as it comes opened ${proxy.accepted} connections for 100 calls`);
});

test(
  'an in-cluster ServiceAccount token rotated on disk is used within a minute, over the same connection',
  { timeout: 120_000 },
  async (t) => {
    const ns = await cluster.createNamespace('token');
    const core = admin.makeApiClient(CoreV1Api);
    const tokenOf = async (name: string): Promise<string> => {
      await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
      const request = await core.createNamespacedServiceAccountToken({
        namespace: ns,
        name,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      return request.status?.token ?? assert.fail('no token issued');
    };
    const [first, second] = [await tokenOf('first'), await tokenOf('second')];

    // The files a Pod gets, under a prefix: /var/run/secrets/kubernetes.io/serviceaccount/{ca.crt,token,namespace}.
    const root = mkdtempSync(join(tmpdir(), 'lbg-in-cluster-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    const ca = admin.getCurrentCluster()?.caData;
    assert.ok(ca, 'the admin kubeconfig carries its CA');
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(ca, 'base64'));
    writeFileSync(join(dir, 'namespace'), ns);
    writeFileSync(join(dir, 'token'), first);

    const proxy = await startCuttableProxy(cluster.info.apiUrl);
    t.after(() => proxy.close());
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(proxy.port);
    const kc = new PooledKubeConfig();
    try {
      kc.loadFromCluster(root);
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    }
    t.after(() => kc.closeTransport());
    const authentication = kc.makeApiClient(AuthenticationV1Api);
    const whoAmI = async () => (await authentication.createSelfSubjectReview({ body: {} })).status?.userInfo?.username;

    assert.equal(await whoAmI(), `system:serviceaccount:${ns}:first`);
    writeFileSync(join(dir, 'token'), second);
    // client-node re-reads the token file once a minute, as client-go does; keep calling meanwhile.
    const deadline = Date.now() + 75_000;
    let user = await whoAmI();
    while (user !== `system:serviceaccount:${ns}:second` && Date.now() < deadline) {
      await sleep(2_000);
      user = await whoAmI();
    }
    assert.equal(user, `system:serviceaccount:${ns}:second`);
    assert.equal(proxy.accepted, 1, 'the new token travels over the pooled connection');
  },
);
