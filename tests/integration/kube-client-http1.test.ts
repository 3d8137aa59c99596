// The components' client against an apiserver with HTTP/2 turned off (--disable-http2-serving): its
// ALPN offers http/1.1 only, and the client falls back to HTTP/1.1 with keep-alive connections (as
// client-go does) rather than failing: calls and a watch work, over a connection per call in flight
// (not one per call), and resetConnections resets them too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@longhorn-backup-guard/shared/kube/informer/object-key';
import { objectPath, resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startCuttableProxy } from './machinery-cuttable-proxy.ts';

const cluster = await startPrivateCluster({ apiserverArgs: ['--disable-http2-serving'] });

test('an apiserver without HTTP/2: HTTP/1.1 keep-alive, 200 calls 4 at a time and a watch over a handful of connections', async (t) => {
  const ns = await cluster.createNamespace('http1');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());
  const configMaps = resourcePath({ version: 'v1', plural: 'configmaps', namespace: ns });
  const seen: string[] = [];
  const stop = new AbortController();
  const watching = client
    .watch(
      configMaps,
      {},
      (type, object) => seen.push(`${type} ${(object as KubeObject).metadata?.name ?? ''}`),
      stop.signal,
    )
    .catch((error: unknown) => error);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < 200) {
        const index = next++;
        await (index % 2 === 0
          ? client.request({ method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, ns) })
          : client.request({ method: 'POST', path: configMaps, body: { metadata: { name: `call-${index}` } } }));
      }
    }),
  );
  await waitFor('the watch to see the 100 creates', async () => (seen.length >= 100 ? true : undefined));
  stop.abort();
  assert.equal(((await watching) as Error).name, 'AbortError');
  t.diagnostic(`200 calls and a watch over HTTP/1.1 opened ${proxy.accepted} connection(s)`);
  // One for the watch, at most one per call in flight, and the first TLS handshake that found no h2.
  assert.ok(proxy.accepted <= 6, `${proxy.accepted} connections`);

  const before = proxy.accepted;
  client.resetConnections();
  await client.request({ method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, ns) });
  // A new transport asks for h2 again: one TLS handshake that finds none, then the HTTP/1.1 connection.
  assert.equal(proxy.accepted, before + 2, 'after a reset the next call opens a new connection');
});
