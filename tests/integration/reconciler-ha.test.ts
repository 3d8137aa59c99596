// Two replicas and restarts: only the leader writes, the standby is ready and takes over when the
// leader goes (released lease on SIGTERM, or an expired one after a crash), and a restarted
// reconciler rebuilds its state from the cluster without writing anything twice.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { enabledLabels, ReconcilerWorld } from './reconciler-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
after(() => world.stopAll());

const jobOf = (name: string) => `backup-${app}-${name}`;
const coordination = cluster.kubeConfig().makeApiClient(CoordinationV1Api);
const holder = async () =>
  (await coordination.readNamespacedLease({ namespace: world.guardNs, name: world.leaseName })).spec?.holderIdentity ??
  '';

test('two replicas: only the leader writes, the standby is ready; a closed leader hands over at once', async (t) => {
  const one = await world.start('replica-1');
  const two = await world.start('replica-2');
  // Closed even when an assertion fails, so that the next test's replicas can take the Lease.
  t.after(() => Promise.all([one.close(), two.close()]));
  await waitFor('one leader', async () => (one.isLeader() !== two.isLeader() ? true : undefined));
  const [leader, standby] = one.isLeader() ? [one, two] : [two, one];
  assert.equal(await holder(), one.isLeader() ? 'replica-1' : 'replica-2');

  await world.createPvc(app, 'ha', enabledLabels('ha'));
  await world.waitForJob(jobOf('ha'));
  await leader.whenIdle();
  assert.ok(leader.writes.total() > 0);
  assert.equal(standby.writes.total(), 0);
  assert.equal(standby.writes.total('events'), 0);
  // Ready once its caches are synced, which a loaded machine can make later than the leader's work.
  await waitFor('the standby is ready', async () =>
    (await fetch(`http://127.0.0.1:${standby.metricsPort}/readyz`)).status === 200 ? true : undefined,
  );
  assert.match(
    await (await fetch(`http://127.0.0.1:${standby.metricsPort}/metrics`)).text(),
    /leader_election_master_status\{name="reconciler-lease"\} 0/,
  );

  await leader.close();
  await waitFor('the standby leads', async () => (standby.isLeader() ? true : undefined), 10_000);
  await world.createPvc(app, 'after-handover', enabledLabels('after-handover'));
  await world.waitForJob(jobOf('after-handover'));
  await standby.whenIdle();
  assert.ok(standby.writes.total() > 0);
  await standby.close();
});

test('a restarted reconciler rebuilds its state from the cluster: the same result, nothing written twice', async () => {
  const jobsBefore = new Map((await world.jobs()).map((job) => [job.metadata.name, job.metadata.resourceVersion]));
  assert.ok(jobsBefore.size >= 2);
  const restarted = await world.start('replica-3');
  await waitFor('leading', async () => (restarted.isLeader() ? true : undefined), 10_000);
  await sleep(300);
  await restarted.whenIdle();
  assert.equal(restarted.writes.total(), 0, 'no writes after a restart in the steady state');
  assert.equal(restarted.writes.total('events'), 0, 'no Event recorded twice');
  const jobsAfter = new Map((await world.jobs()).map((job) => [job.metadata.name, job.metadata.resourceVersion]));
  assert.deepEqual(jobsAfter, jobsBefore);
  await restarted.close();
});

function startProcess(identity: string): ChildProcess {
  return spawn(process.execPath, ['reconciler/src/main.ts'], {
    env: {
      ...process.env,
      KUBECONFIG: cluster.info.kubeconfigPath,
      POD_NAMESPACE: world.guardNs,
      POD_NAME: identity,
      LEASE_NAME: world.leaseName,
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

test('the process: SIGTERM releases the lease and exits 0; a killed leader is replaced once its lease expires', async () => {
  const first = startProcess('process-1');
  after(() => {
    first.kill('SIGKILL');
  });
  await waitFor(
    'process-1 leads',
    async () => ((await holder().catch(() => '')) === 'process-1' ? true : undefined),
    20_000,
  );
  await world.createPvc(app, 'from-process', enabledLabels('from-process'));
  await world.waitForJob(jobOf('from-process'));

  first.kill('SIGTERM');
  assert.deepEqual(await exited(first), { code: 0, signal: null });
  assert.equal(await holder(), '', 'the lease was released');

  const second = startProcess('process-2');
  after(() => {
    second.kill('SIGKILL');
  });
  await waitFor('process-2 leads', async () => ((await holder()) === 'process-2' ? true : undefined), 20_000);
  second.kill('SIGKILL');
  await exited(second);

  // A crashed leader cannot release: the standby waits for the lease to expire, then leads.
  const standby = await world.start('replica-4');
  await waitFor(
    'the standby leads after the lease expired',
    async () => (standby.isLeader() ? true : undefined),
    30_000,
  );
  await world.createPvc(app, 'after-crash', enabledLabels('after-crash'));
  await world.waitForJob(jobOf('after-crash'));
});
