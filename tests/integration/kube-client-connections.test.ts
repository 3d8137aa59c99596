// The components' client and its one HTTP/2 connection (shared/src/kube/http2-transport.ts) when
// the connection goes: the server closing it (the next call opens a new one), and resetConnections,
// which drops a write in flight on a partitioned connection so that it never arrives, even once the
// partition heals (the reconciler resets its write pool when it stops leading).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath, resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import { useTestCluster } from '../harness/test-cluster.ts';
import { haveTool } from '../tools/tools.ts';
import { canDropPackets, startCuttableProxy } from './machinery-cuttable-proxy.ts';

const cluster = await useTestCluster();
const configMap = (namespace: string, name: string) =>
  objectPath({ version: 'v1', plural: 'configmaps', namespace }, name);

test('a connection the server closes is replaced: the next call opens a new one and succeeds', async (t) => {
  const ns = await cluster.createNamespace('closed');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());
  const namespace = objectPath({ version: 'v1', plural: 'namespaces' }, ns);
  for (let i = 0; i < 10; i++) await client.request({ method: 'GET', path: namespace });
  assert.equal(proxy.accepted, 1);

  // The relay drops the connection (as an apiserver restarting or a load balancer would).
  proxy.cut();
  proxy.restore();
  await sleep(200);
  const { body } = await client.request<{ metadata?: { name?: string } }>({ method: 'GET', path: namespace });
  assert.equal(body.metadata?.name, ns);
  assert.equal(proxy.accepted, 2, 'one new connection, reused from then on');
  await client.request({ method: 'GET', path: namespace });
  assert.equal(proxy.accepted, 2);
});

test('resetConnections drops a write in flight on a partitioned connection: it never arrives, even after the heal', async (t) => {
  if (!haveTool(t, 'iptables (run as root)', (await canDropPackets()) ? 'iptables' : undefined)) return;
  const ns = await cluster.createNamespace('reset');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());
  const admin = kubeClientOf(cluster.kubeConfig());
  await client.request({ method: 'GET', path: objectPath({ version: 'v1', plural: 'namespaces' }, ns) });

  await proxy.dropPackets();
  const write = client.request({
    method: 'POST',
    path: resourcePath({ version: 'v1', plural: 'configmaps', namespace: ns }),
    body: { metadata: { name: 'sent-into-the-partition' } },
  });
  // The write is in the kernel's send buffer now, unacknowledged, retransmitted in vain.
  await sleep(500);
  client.resetConnections();
  await assert.rejects(write);
  await proxy.passPackets();
  // TCP retransmits with a doubling backoff from 200 ms: by 3 s a connection still holding the
  // write would have delivered it.
  await sleep(3_000);
  await assert.rejects(
    admin.request({ method: 'GET', path: configMap(ns, 'sent-into-the-partition') }),
    (error) => isNotFound(error),
    'the write sent into the partition never arrived',
  );

  // The client carries on over a new connection.
  const before = proxy.accepted;
  await client.request({
    method: 'POST',
    path: resourcePath({ version: 'v1', plural: 'configmaps', namespace: ns }),
    body: { metadata: { name: 'after-the-reset' } },
  });
  assert.equal(proxy.accepted, before + 1);
  await admin.request({ method: 'GET', path: configMap(ns, 'after-the-reset') });
});
