// The components' client (shared/src/kube/kube-client.ts) against the real apiserver, through a TCP
// relay that counts the connections: 1,000 calls of every kind the components make (reads, creates,
// merge patches, raw lists, a watch running all along) open a handful of connections, where
// client-node as it comes opens one per call; an in-cluster ServiceAccount token rotated on disk is
// picked up without a new connection; the apiserver's errors arrive as status code and Status body;
// the kubeconfig loader reads files, relative paths and client certificates as client-go does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  apiStatusCode,
  describeApiError,
  isAlreadyExists,
  isNotFound,
} from '@longhorn-backup-guard/shared/kube/api-errors';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import { clientPageReader, listCollection } from '@longhorn-backup-guard/shared/kube/informer/list-collection';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { objectPath, resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import { inClusterConnection, loadKubeClient } from '@longhorn-backup-guard/shared/kube/load-kube-config';
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

const configMaps = (namespace: string) => resourcePath({ version: 'v1', plural: 'configmaps', namespace });
const recurringJobs = (namespace: string) =>
  resourcePath({ group: 'longhorn.io', version: 'v1beta2', plural: 'recurringjobs', namespace });

/** The mix of calls the components make, through their client. */
function clientCalls(client: KubeClient, namespace: string): (index: number) => Promise<unknown> {
  const read = clientPageReader(client);
  return (index) => {
    switch (index % 5) {
      case 0:
        return client.request({ method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, namespace) });
      case 1:
        return client.request({ method: 'GET', path: recurringJobs(namespace) });
      case 2:
        return listCollection(read, configMaps(namespace));
      case 3:
        return client.request({
          method: 'PATCH',
          path: objectPath({ version: 'v1', plural: 'configmaps', namespace }, 'patched'),
          body: { data: { index: String(index) } },
          patch: 'merge',
        });
      default:
        return client.request({
          method: 'POST',
          path: configMaps(namespace),
          query: { fieldManager: 'kube-client-test' },
          body: { metadata: { name: `call-${index}` } },
        });
    }
  };
}

/** The same mix through client-node's generated clients, as the components made it before. */
function clientNodeCalls(kc: KubeConfig, namespace: string): (index: number) => Promise<unknown> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return (index) =>
    index % 2 === 0
      ? core.readNamespace({ name: namespace })
      : custom.listNamespacedCustomObject({
          group: 'longhorn.io',
          version: 'v1beta2',
          namespace,
          plural: 'recurringjobs',
        });
}

test('1,000 calls of every kind, with a watch open all along, share a handful of connections', async (t) => {
  const ns = await cluster.createNamespace('pooled');
  await admin
    .makeApiClient(CoreV1Api)
    .createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'patched' } } });
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());

  const seen = new Set<string>();
  const informer = new Informer<KubeObject>({
    resource: 'configmaps',
    kubeConfig: client,
    path: configMaps(ns),
    log,
    handler: { onAdd: (object) => seen.add(object.metadata?.name ?? '') },
  });
  t.after(() => informer.stop());
  informer.start();
  assert.equal(await informer.whenSynced(), true);

  // Right after the control plane starts, the RecurringJob storage may still answer 429 (initializing).
  await waitFor('RecurringJob storage ready', () =>
    client.request({ method: 'GET', path: recurringJobs(ns) }).then(
      () => true,
      () => undefined,
    ),
  );
  await run(1_000, 8, clientCalls(client, ns));
  // The watch delivered every create: it ran over the same pool the whole time.
  await waitFor('the watch to see the 200 ConfigMaps', async () =>
    seen.has('call-999') && seen.has('call-4') ? true : undefined,
  );
  t.diagnostic(`1,000 calls and a watch opened ${proxy.accepted} connection(s)`);
  assert.ok(proxy.accepted <= 4, `1,000 calls opened ${proxy.accepted} connections`);
});

test('client-node as it comes opens a connection per call (kubernetes-client/javascript#2893), which the client removes', async (t) => {
  const ns = await cluster.createNamespace('unpooled');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const plain = proxy.kubeConfigThrough(cluster.kubeConfig());
  await run(100, 4, clientNodeCalls(plain, ns));
  assert.ok(proxy.accepted >= 100, `client-node as it comes opened ${proxy.accepted} connections for 100 calls`);
});

test("the apiserver's refusals arrive with their status code and Status message; nothing is retried behind the caller", async () => {
  const ns = await cluster.createNamespace('errors');
  const client = kubeClientOf(admin);
  const missing = client.request({
    method: 'GET',
    path: objectPath({ version: 'v1', plural: 'configmaps', namespace: ns }, 'absent'),
  });
  await assert.rejects(
    missing,
    (error) => isNotFound(error) && /configmaps "absent" not found/.test(describeApiError(error)),
  );
  const create = () => client.request({ method: 'POST', path: configMaps(ns), body: { metadata: { name: 'twice' } } });
  await create();
  await assert.rejects(create(), (error) => isAlreadyExists(error) && /already exists/.test(describeApiError(error)));
  // A body the schema refuses: 422 with the field named.
  await assert.rejects(
    client.request({ method: 'POST', path: configMaps(ns), body: { metadata: { name: 'Not_A_Name' } } }),
    (error) => apiStatusCode(error) === 422 && /metadata.name/.test(describeApiError(error)),
  );
  // A JSON patch that fails its test operation: 422, the object untouched.
  const twice = objectPath({ version: 'v1', plural: 'configmaps', namespace: ns }, 'twice');
  await assert.rejects(
    client.request({
      method: 'PATCH',
      path: twice,
      patch: 'json',
      body: [{ op: 'test', path: '/data', value: { a: 'b' } }],
    }),
    (error) => apiStatusCode(error) === 422,
  );
  // A delete with a stale precondition: 409.
  await assert.rejects(
    client.request({ method: 'DELETE', path: twice, body: { preconditions: { resourceVersion: '1' } } }),
    (error) => apiStatusCode(error) === 409,
  );
  // An aborted request rejects at once.
  const aborted = AbortSignal.abort();
  await assert.rejects(client.request({ method: 'GET', path: twice, signal: aborted }), { name: 'AbortError' });
});

test('a watch streams ADDED, MODIFIED and DELETED in order, ends when aborted; a refused watch rejects with its status code', async () => {
  const ns = await cluster.createNamespace('watch');
  const client = kubeClientOf(admin);
  const events: string[] = [];
  const stop = new AbortController();
  const { body: list } = await client.request<{ metadata: { resourceVersion: string } }>({
    method: 'GET',
    path: configMaps(ns),
  });
  const watching = client.watch(
    configMaps(ns),
    { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
    (type, object) => {
      if (type !== 'BOOKMARK') events.push(`${type} ${(object as KubeObject).metadata?.name ?? ''}`);
    },
    stop.signal,
  );
  const path = objectPath({ version: 'v1', plural: 'configmaps', namespace: ns }, 'watched');
  await client.request({ method: 'POST', path: configMaps(ns), body: { metadata: { name: 'watched' } } });
  await client.request({ method: 'PATCH', path, patch: 'merge', body: { data: { a: 'b' } } });
  await client.request({ method: 'DELETE', path });
  await waitFor('three events', async () => (events.length >= 3 ? true : undefined));
  assert.deepEqual(events, ['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  stop.abort();
  await assert.rejects(watching, { name: 'AbortError' });

  // A watch the apiserver refuses rejects with its status code (the informer tells 410 Gone this way).
  await assert.rejects(
    client.watch(configMaps(ns), { labelSelector: '!!' }, () => undefined, AbortSignal.timeout(10_000)),
    (error) => apiStatusCode(error) === 400,
  );
});

test('KUBECONFIG: relative certificate files, several files (the first to name a thing wins), a clear refusal of exec plugins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbg-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clusterEntry = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  assert.ok(
    clusterEntry?.caData && user?.certData && user.keyData,
    'the admin kubeconfig carries its certificates inline',
  );
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(clusterEntry.caData, 'base64'));
  writeFileSync(join(dir, 'admin.crt'), Buffer.from(user.certData, 'base64'));
  writeFileSync(join(dir, 'admin.key'), Buffer.from(user.keyData, 'base64'));
  const contexts = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'files',
    contexts: [{ name: 'files', context: { cluster: 'test', user: 'admin' } }],
  });
  const things = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ignored, the first file names one',
    clusters: [{ name: 'test', cluster: { server: cluster.info.apiUrl, 'certificate-authority': 'ca.crt' } }],
    users: [
      { name: 'admin', user: { 'client-certificate': 'admin.crt', 'client-key': join(dir, 'admin.key') } },
      { name: 'plugin', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } } },
    ],
  });
  writeFileSync(join(dir, 'contexts.yaml'), contexts);
  writeFileSync(join(dir, 'things.yaml'), things);
  const KUBECONFIG = [join(dir, 'contexts.yaml'), join(dir, 'things.yaml')].join(':');
  const client = loadKubeClient({ KUBECONFIG });
  t.after(() => client.close());
  const { body } = await client.request<{ metadata?: { name?: string } }>({
    method: 'GET',
    path: objectPath({ version: 'v1', plural: 'namespaces' }, 'default'),
  });
  assert.equal(body.metadata?.name, 'default');

  writeFileSync(join(dir, 'contexts.yaml'), contexts.replace('user: admin', 'user: plugin'));
  assert.throws(
    () => loadKubeClient({ KUBECONFIG }),
    /exec credential plugins are not supported; the components authenticate with a ServiceAccount token or a client certificate/,
  );
  assert.throws(
    () => loadKubeClient({ KUBECONFIG: join(dir, 'absent.yaml') }),
    /cannot read the kubeconfig .*absent\.yaml/,
  );
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
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(proxy.port) };
    const client = new KubeClient(inClusterConnection(env, root));
    t.after(() => client.close());
    const whoAmI = async () =>
      (
        await client.request<{ status?: { userInfo?: { username?: string } } }>({
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        })
      ).body.status?.userInfo?.username;

    assert.equal(await whoAmI(), `system:serviceaccount:${ns}:first`);
    writeFileSync(join(dir, 'token'), second);
    // The client re-reads the token file once a minute, as client-go does; keep calling meanwhile.
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
