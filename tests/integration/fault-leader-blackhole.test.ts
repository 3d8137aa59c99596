// The leader is partitioned by a blackhole (every packet between it and the apiserver dropped in
// the kernel, nothing closed) while it is writing; the standby, which still reaches the apiserver,
// takes over once the Lease expires. Then the partition heals, so whatever the old leader's
// connections still hold is retransmitted. The apiserver's audit log (a private control plane)
// shows the fencing: no write of the old leader arrived after the standby took the Lease. Its
// writes sent into the partition before it knew are sent on the write pool, which it resets when
// it steps down (TCP RST first, before anything is flushed gracefully), so they are never
// delivered. (A middlebox that acknowledged and held them would still deliver them: no client can
// recall those; see the README's failure table.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { ReconcilerWorld, enabledLabels } from './reconciler-fixture.ts';
import { canDropPackets, startCuttableProxy } from './machinery-cuttable-proxy.ts';
import { haveTool } from '../tools/tools.ts';
import { grantClusterAdmin, isMutating, readAuditLog } from './audit-log.ts';

const cluster = await startPrivateCluster({ auditLog: true });
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const proxy = await startCuttableProxy(cluster.info.apiUrl);
after(async () => {
  await world.stopAll();
  await proxy.close();
});
const LEASE_SECONDS = 3;

test('a blackholed leader: the standby takes over within the lease duration, and no write of the old leader arrives after that, even once the partition heals', async (t) => {
  if (!haveTool(t, 'iptables (run as root)', (await canDropPackets()) ? 'iptables' : undefined)) return;
  await grantClusterAdmin(cluster, 'lbg-old-leader');
  await grantClusterAdmin(cluster, 'lbg-standby');
  // Two writes a second: the old leader is still writing for the ten PVCs when the partition begins.
  const slowWrites = { writeLimit: { ratePerSecond: 2, burst: 1 }, leaseDurationSeconds: LEASE_SECONDS };
  const old = await world.start('old-leader', {
    ...slowWrites,
    kubeConfig: proxy.kubeConfigThrough(cluster.impersonatingKubeConfig('lbg-old-leader')),
  });
  await waitFor('the old leader leads', async () => (old.isLeader() ? true : undefined), 15_000);
  const standby = await world.start('standby', {
    ...slowWrites,
    kubeConfig: cluster.impersonatingKubeConfig('lbg-standby'),
  });
  for (let i = 0; i < 10; i++) await world.createPvc(app, `data-${i}`, enabledLabels(`data-${i}`));
  await waitFor('the old leader writing', async () => (old.writes.total() > 0 ? true : undefined));

  await proxy.dropPackets();
  const partitionedAt = performance.now();
  await waitFor('the old leader steps down', async () => (old.isLeader() ? undefined : true), 15_000, 20);
  const steppedDownMs = performance.now() - partitionedAt;
  await waitFor('the standby leads', async () => (standby.isLeader() ? true : undefined), 15_000, 20);
  const tookOverMs = performance.now() - partitionedAt;
  assert.ok(
    tookOverMs < (LEASE_SECONDS + 1) * 1_000,
    `the standby took over within the lease duration and one retry: ${tookOverMs} ms`,
  );
  await waitFor('every job made', async () => ((await world.jobs()).length === 10 ? true : undefined), 30_000);
  await standby.whenIdle();

  // The partition heals: what the old leader's open connections still hold is delivered now.
  await proxy.passPackets();
  // TCP retransmits with a doubling backoff from the first loss: by twice the partition's length
  // every connection that still holds unacknowledged data has sent it again.
  await sleep(Math.max(4_000, performance.now() - partitionedAt + 1_000));
  assert.equal(old.isLeader(), false, 'the old leader stays a standby');

  const log = await readAuditLog(cluster);
  const leaseWrites = (user: string) =>
    log.filter((e) => e.user === user && e.resource === 'leases' && isMutating(e) && e.code < 300);
  const takenAt = Math.min(...leaseWrites('lbg-standby').map((e) => e.answeredAtMs));
  const lastRenewal = Math.max(
    ...leaseWrites('lbg-old-leader')
      .filter((e) => e.answeredAtMs < takenAt)
      .map((e) => e.answeredAtMs),
  );
  const oldWrites = log.filter((e) => e.user === 'lbg-old-leader' && isMutating(e) && e.resource !== 'leases');
  const late = oldWrites.filter((e) => e.receivedAtMs >= takenAt);
  assert.ok(oldWrites.length > 0, 'the old leader wrote before the partition');
  // The write pool's reset RSTs its TCP sockets before anything is flushed gracefully
  // (shared/src/kube/http2-transport.ts), so nothing sent into the partition arrives after the heal.
  assert.deepEqual(
    late.map((e) => `${e.verb} ${e.resource}/${e.name ?? ''} ${e.code}`),
    [],
    'no write of the old leader arrived after the standby took the Lease',
  );
  const beforeLate = oldWrites.filter((e) => e.receivedAtMs >= lastRenewal);
  t.diagnostic(
    `blackhole: the old leader stepped down after ${(steppedDownMs / 1000).toFixed(1)} s, the standby led after ${(tookOverMs / 1000).toFixed(1)} s (lease ${LEASE_SECONDS} s; ${((takenAt - lastRenewal) / 1000).toFixed(1)} s after the old leader's last renewal); writes of the old leader after the takeover: ${late.length} (${beforeLate.length} between its last renewal and the takeover)`,
  );
});
