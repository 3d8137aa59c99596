// etcd fails under the running webhook and reconciler (a private control plane, whose etcd this file
// restarts and pauses): a restart (3 s down) and a stall (SIGSTOP for 5 s, as a stuck disk would).
// PVCs keep being created through the webhook all along. Afterwards: every admission answered was
// right (the webhook's labels on every PVC that exists), every PVC has its job (no intent lost), and
// the archive in flight has one Snapshot and one Backup (nothing made twice).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { mergePatch } from '../harness/patch-content-types.ts';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld } from './reconciler-fixture.ts';
import { archiveNames, archivingPvc, setStatus, waitForArchiveObject } from './archive-fixture.ts';
import {
  registerConfigurations,
  registrationFor,
  runId,
  startTestWebhook,
  waitUntilWebhooksCalled,
} from './webhook-support.ts';
import { failedAdmissions, startAdmissionStream, type AdmissionOutcome } from './admission-stream.ts';

const cluster = await startPrivateCluster();
const { controlPlane } = cluster;
assert.ok(controlPlane);
const kc = cluster.kubeConfig();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
// The namespace enables backups by default: a PVC created without labels must come back with
// enabled=true and its name, which only the webhook (with the namespace's labels) can give it.
const registration = registrationFor(runId());
await world.core.patchNamespace(
  { name: app, body: { metadata: { labels: { ...registration.namespaceLabels, [`${P}/default-enabled`]: 'true' } } } },
  mergePatch,
);
const port = await freePort();
// failurePolicy Fail: a webhook that cannot answer shows as a failed admission, not as a PVC let through.
await registerConfigurations(kc, registration, port, 'Fail');
const webhook = await startTestWebhook({ cluster, registration, certificateNamespace: world.guardNs, port });
const handle = await world.start('replica-1');
// The configurations go with the private control plane.
after(async () => {
  await world.stopAll();
  await webhook.handle.close();
});
await waitUntilWebhooksCalled(kc, app, world.storageClass);
await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);

const jobOf = (name: string) => `backup-${app}-${name}`;
const stream = (prefix: string) =>
  startAdmissionStream({
    kubeConfig: kc,
    namespace: app,
    storageClassName: world.storageClass,
    perSecond: 4,
    prefix,
    dryRun: false,
    expectedLabels: (name) => ({ [`${P}/enabled`]: 'true', [`${P}/name`]: name }),
  });

/**
 * While etcd is away the apiserver cannot store: those creates fail with the apiserver's own
 * error (a timeout or etcd's), never with the webhook's, and never come back without its labels.
 */
function storageFailure(result: string): boolean {
  return /etcd|timeout|timed out|deadline|unavailable|^50[034]:|ECONNRESET|socket hang up/i.test(result);
}

/** Every PVC in the namespace has the webhook's labels and its job; no job is left without one. */
async function assertEveryIntentKept(outcomes: readonly AdmissionOutcome[]): Promise<void> {
  const pvcs = (await world.core.listNamespacedPersistentVolumeClaim({ namespace: app })).items;
  for (const pvc of pvcs) {
    const name = pvc.metadata?.name ?? '';
    assert.equal(pvc.metadata?.labels?.[`${P}/name`], name, `PVC ${name} carries the webhook's name label`);
    assert.equal(pvc.metadata?.labels?.[`${P}/enabled`], 'true', `PVC ${name} carries the namespace's default`);
  }
  const admitted = outcomes.filter((o) => o.result === 'admitted').map((o) => o.name);
  const stored = new Set(pvcs.map((pvc) => pvc.metadata?.name ?? ''));
  assert.deepEqual(
    admitted.filter((name) => !stored.has(name)),
    [],
    'every create answered with success is stored',
  );
  await waitFor(
    'a job for every PVC, and none other',
    async () => {
      const jobs = new Set((await world.jobs()).map((job) => job.metadata.name));
      return [...stored].every((name) => jobs.has(jobOf(name))) && jobs.size === stored.size ? true : undefined;
    },
    60_000,
  );
}

interface FaultOutcome {
  readonly outcomes: readonly AdmissionOutcome[];
  /** Since etcd was back: every create answered; every intent in place. */
  readonly answeredMs: number;
  readonly caughtUpMs: number;
}

/** Runs `fault` (it returns once etcd is back) under a stream of creates; checks every intent kept. */
async function underAdmissions(prefix: string, fault: () => Promise<void>): Promise<FaultOutcome> {
  const admissions = stream(prefix);
  await fault();
  const backAt = performance.now();
  await sleep(1_500);
  const outcomes = await admissions.stop();
  const answeredMs = performance.now() - backAt;
  assert.deepEqual(
    failedAdmissions(outcomes).filter((line) => !storageFailure(line)),
    [],
  );
  await assertEveryIntentKept(outcomes);
  return { outcomes, answeredMs, caughtUpMs: performance.now() - backAt };
}

function report(what: string, { outcomes, answeredMs, caughtUpMs }: FaultOutcome): string {
  const failed = outcomes.filter((o) => o.result !== 'admitted').length;
  const slowest = Math.max(...outcomes.map((o) => o.latencyMs));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `${what}: ${outcomes.length} creates, ${failed} failed by the apiserver's storage, 0 wrong; slowest answer ${s(slowest)}; after etcd was back: all answered in ${s(answeredMs)}, every job in place in ${s(caughtUpMs)}`;
}

test('etcd restarted and etcd stalled: admissions stay right, every intent is kept, the archive makes nothing twice', async (t) => {
  const job = await archivingPvc(world, app, 'db', 'vol-db', '2099-12-31');
  const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);

  // 1. Restart: etcd down for 3 s, then back on the same data.
  const restart = await underAdmissions('restart', async () => {
    await sleep(1_000);
    await controlPlane.stopEtcd();
    await sleep(3_000);
    await controlPlane.startEtcd();
  });
  assert.deepEqual(await archiveNames(world, 'snapshots', job), [snapshot.metadata.name], 'no second Snapshot');

  // 2. A stall: Longhorn reports the Snapshot ready, and etcd stops answering as the reconciler
  // goes on to create the Backup.
  const stall = await underAdmissions('stall', async () => {
    await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
    controlPlane.pauseEtcd();
    await sleep(5_000);
    controlPlane.resumeEtcd();
  });

  const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
  assert.equal(backup.spec?.snapshotName, snapshot.metadata.name);
  // Settled: a full resync makes nothing more.
  await handle.whenIdle();
  const before = handle.writes.snapshot();
  handle.resync();
  await handle.whenIdle();
  assert.deepEqual(handle.writes.snapshot(), before, 'nothing left to write');
  assert.deepEqual(await archiveNames(world, 'snapshots', job), [snapshot.metadata.name], 'one Snapshot');
  assert.deepEqual(await archiveNames(world, 'backups', job), [backup.metadata.name], 'one Backup');

  t.diagnostic(report('etcd down 3 s', restart));
  t.diagnostic(report('etcd paused 5 s', stall));
});
