// The components' client against an apiserver that sends GOAWAY (--goaway-chance: about 1 in 50
// answers closes its HTTP/2 connection, as apiservers behind a load balancer are run) and allows
// few streams per connection (--http2-max-streams-per-connection=8): every call succeeds (streams
// the server refused unprocessed are sent again on the next connection; calls beyond the 8 streams
// wait for a free one), and each GOAWAY costs one new connection, not one per call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPath, resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { startCuttableProxy } from './machinery-cuttable-proxy.ts';

const cluster = await startPrivateCluster({
  apiserverArgs: ['--goaway-chance=0.02', '--http2-max-streams-per-connection=8'],
});

test('GOAWAY and a limit of 8 streams: 1,000 calls at 32 at a time all succeed over a new connection per GOAWAY', async (t) => {
  const ns = await cluster.createNamespace('goaway');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());
  const configMaps = resourcePath({ version: 'v1', plural: 'configmaps', namespace: ns });
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < 1_000) {
        const index = next++;
        const call =
          index % 2 === 0
            ? client.request({ method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, ns) })
            : client.request({ method: 'POST', path: configMaps, body: { metadata: { name: `call-${index}` } } });
        await call.catch((error: unknown) => failures.push(String(error)));
      }
    }),
  );
  const { body } = await client.request<{ items: unknown[] }>({ method: 'GET', path: configMaps });
  t.diagnostic(`1,000 calls over ${proxy.accepted} connection(s) (GOAWAY chance 0.02), ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.equal(body.items.length, 500, 'every create arrived once');
  assert.ok(proxy.accepted > 1, 'the apiserver sent GOAWAY: the test saw new connections');
  assert.ok(proxy.accepted < 100, `${proxy.accepted} connections for 1,000 calls`);
});
