// Leader election on a real Lease: one leader among two; a crashed leader is replaced once its
// Lease expires (not before); a graceful stop hands over at once; a leader cut off from the
// apiserver stops leading after the renew deadline; a leader that sees another holder steps down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startCuttableProxy } from './machinery-cuttable-proxy.ts';
import { createControllerMetrics } from '@longhorn-backup-guard/reconciler/machinery/controller-metrics';
import { LeaderElector, type LeaderElectionOptions } from '@longhorn-backup-guard/reconciler/machinery/leader-election';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';

const cluster = await useTestCluster();
const leases = cluster.kubeConfig().makeApiClient(CoordinationV1Api);
const log = createLogger('test', 'silent');
const fast = { leaseDurationSeconds: 2, renewDeadlineMs: 1_500, retryPeriodMs: 100 };

interface Candidate {
  elector: LeaderElector;
  events: string[];
}

function candidate(
  namespace: string,
  identity: string,
  extra: Partial<LeaderElectionOptions> = {},
  kubeConfig: KubeConfig = cluster.kubeConfig(),
): Candidate {
  const events: string[] = [];
  const elector = new LeaderElector({
    kubeConfig,
    namespace,
    name: 'backup-guard',
    identity,
    log,
    ...fast,
    ...extra,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { elector, events };
}

async function holder(namespace: string): Promise<string | undefined> {
  return (await leases.readNamespacedLease({ name: 'backup-guard', namespace })).spec?.holderIdentity;
}

async function leaderOf(...candidates: Candidate[]): Promise<Candidate> {
  return waitFor('a leader', async () => candidates.find((c) => c.elector.isLeader()), 10_000, 20);
}

test('two candidates on one Lease: exactly one leads, and the Lease names it', async (t) => {
  const ns = await cluster.createNamespace('lease');
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  const a = candidate(ns, 'replica-a', { metrics: metrics.leaderElection });
  const b = candidate(ns, 'replica-b');
  t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
  a.elector.start();
  b.elector.start();
  const leader = await leaderOf(a, b);
  for (let i = 0; i < 20; i++) {
    assert.equal([a, b].filter((c) => c.elector.isLeader()).length, 1, 'never two leaders, never none once elected');
    await sleep(50);
  }
  assert.equal(await holder(ns), leader === a ? 'replica-a' : 'replica-b');
  assert.deepEqual(leader.events, ['started']);
  assert.match(
    await registry.metrics(),
    new RegExp(`leader_election_master_status\\{name="backup-guard"\\} ${leader === a ? 1 : 0}`),
  );
});

test('a crashed leader (no release) is replaced once its Lease expires, not before', async (t) => {
  const ns = await cluster.createNamespace('lease');
  const a = candidate(ns, 'replica-a');
  const b = candidate(ns, 'replica-b');
  t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
  a.elector.start();
  await leaderOf(a);
  b.elector.start();
  await sleep(300); // b observes a renewing
  assert.equal(b.elector.isLeader(), false);

  await a.elector.stop({ release: false });
  assert.equal(await holder(ns), 'replica-a', 'the crashed leader still holds the Lease');
  await sleep(500);
  assert.equal(b.elector.isLeader(), false, 'the Lease (2 s) is respected');
  await waitFor('b to take over', async () => (b.elector.isLeader() ? true : undefined), 3_000, 20);
  assert.equal(await holder(ns), 'replica-b');
  const lease = await leases.readNamespacedLease({ name: 'backup-guard', namespace: ns });
  assert.equal(lease.spec?.leaseTransitions, 1);
});

test('a graceful stop releases the Lease and the standby takes over at once', async (t) => {
  const ns = await cluster.createNamespace('lease');
  const long = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 100 };
  const a = candidate(ns, 'replica-a', long);
  const b = candidate(ns, 'replica-b', long);
  t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
  a.elector.start();
  await leaderOf(a);
  b.elector.start();
  await sleep(200);

  await a.elector.stop();
  assert.deepEqual(a.events, ['started', 'stopped']);
  assert.equal(a.elector.isLeader(), false);
  // Far sooner than the 15 s lease: only a release explains it.
  await waitFor('b to take over', async () => (b.elector.isLeader() ? true : undefined), 3_000, 20);
  assert.equal(await holder(ns), 'replica-b');
});

test('a leader cut off from the apiserver stops leading after the renew deadline', async (t) => {
  const ns = await cluster.createNamespace('lease');
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  const a = candidate(ns, 'replica-a', {}, proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(async () => {
    await a.elector.stop({ release: false });
    await proxy.close();
  });
  a.elector.start();
  await leaderOf(a);
  proxy.cut();
  await sleep(500);
  assert.equal(a.elector.isLeader(), true, 'still the leader within the renew deadline');
  await waitFor('a to step down', async () => (a.elector.isLeader() ? undefined : true), 3_000, 20);
  await waitFor('onStoppedLeading', async () => (a.events.includes('stopped') ? true : undefined), 1_000, 20);
  assert.deepEqual(a.events, ['started', 'stopped']);

  proxy.restore();
  await waitFor('a to lead again', async () => (a.elector.isLeader() ? true : undefined), 5_000, 20);
  assert.deepEqual(a.events, ['started', 'stopped', 'started'], 'the Lease was still its own: it resumes');
});

test('a leader that finds another holder in the Lease steps down at once', async (t) => {
  const ns = await cluster.createNamespace('lease');
  const a = candidate(ns, 'replica-a', { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 100 });
  t.after(() => a.elector.stop({ release: false }));
  a.elector.start();
  await leaderOf(a);
  await waitFor(
    'the intruder to write the Lease (retried on 409)',
    async () => {
      const lease = await leases.readNamespacedLease({ name: 'backup-guard', namespace: ns });
      await leases.replaceNamespacedLease({
        name: 'backup-guard',
        namespace: ns,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: new V1MicroTime() } },
      });
      return true;
    },
    2_000,
    10,
  );
  await waitFor('a to step down', async () => (a.elector.isLeader() ? undefined : true), 2_000, 20);
  assert.deepEqual(a.events, ['started', 'stopped']);
});
