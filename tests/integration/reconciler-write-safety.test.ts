// Writes that must not happen (issue 11, item 5), against a real apiserver:
// - a replica that lost its Lease issues no write, not even the rest of a reconcile in flight;
// - when the apiserver sheds load (429 with Retry-After, here from a real admission webhook that
//   answers the first RecurringJob create so) every write of the reconciler waits that long;
// - a pod clock off by hours compares nothing with the apiserver's timestamps uncorrected.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdmissionregistrationV1Api, CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import type { Backup, Snapshot } from '@longhorn-backup-guard/shared/longhorn/types';
import { isConflict } from '@longhorn-backup-guard/shared/kube/api-errors';
import { ReconcilerWorld, enabledLabels, scrape } from './reconciler-fixture.ts';
import { annotationOf, archivingPvc, setStatus, waitForArchiveObject } from './archive-fixture.ts';
import { startScriptedWebhook, type ScriptedWebhook } from './scripted-admission-webhook.ts';

const cluster = await useTestCluster();

function writesOf(handle: { writes: { snapshot(): ReadonlyMap<string, number> } }): number {
  return [...handle.writes.snapshot().values()].reduce((sum, n) => sum + n, 0);
}

test('a replica that loses its Lease issues no write after it knows, not even the rest of the reconciles in flight', async () => {
  const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
  const [app = ''] = world.apps;
  try {
    // Two writes a second: the reconciles of ten PVCs are still writing when the Lease is taken.
    const handle = await world.start('fenced', { writeLimit: { ratePerSecond: 2, burst: 1 }, workers: 4 });
    await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);
    for (let i = 0; i < 10; i++) await world.createPvc(app, `data-${i}`, enabledLabels(`data-${i}`));
    await waitFor('writing', async () => (writesOf(handle) > 0 ? true : undefined));

    // Another replica takes the Lease over (as after a partition): this one sees it on its next renewal.
    // Read and replace until it takes: the replica may renew between the two (409 Conflict).
    const leases = cluster.kubeConfig().makeApiClient(CoordinationV1Api);
    await waitFor('the Lease taken over', async () => {
      const lease = await leases.readNamespacedLease({ name: world.leaseName, namespace: world.guardNs });
      const now = new V1MicroTime();
      try {
        await leases.replaceNamespacedLease({
          name: world.leaseName,
          namespace: world.guardNs,
          body: {
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: 'intruder',
              leaseDurationSeconds: 3_600,
              renewTime: now,
              acquireTime: now,
            },
          },
        });
        return true;
      } catch (error) {
        if (isConflict(error)) return undefined;
        throw error;
      }
    });
    await waitFor('leadership lost', async () => (handle.isLeader() ? undefined : true), 15_000);
    const atLoss = writesOf(handle);
    const jobsAtLoss = (await world.jobs()).length;
    await sleep(4_000); // the queued reconciles would need several seconds at 2 writes/s
    assert.equal(
      writesOf(handle),
      atLoss,
      `no write after the Lease was lost: ${JSON.stringify([...handle.writes.snapshot()])}`,
    );
    assert.equal((await world.jobs()).length, jobsAtLoss, 'no RecurringJob created after the Lease was lost');
    assert.ok(jobsAtLoss < 10, 'the test lost the Lease while work was left');
  } finally {
    await world.stopAll();
  }
});

/** A validating webhook for RecurringJob creates that answers the first one 429 with retryAfterSeconds. */
async function sheddingWebhook(retryAfterSeconds: number): Promise<ScriptedWebhook & { arrivals: number[] }> {
  const arrivals: number[] = [];
  const status = {
    code: 429,
    reason: 'TooManyRequests',
    message: 'the apiserver sheds load',
    details: { retryAfterSeconds },
  };
  const webhook = await startScriptedWebhook(() => {
    arrivals.push(performance.now());
    return arrivals.length === 1 ? { allowed: false, status } : { allowed: true };
  });
  return { ...webhook, arrivals };
}

test('a 429 with Retry-After pauses every write of the reconciler for that long (not only the key that met it)', async () => {
  const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
  const [app = ''] = world.apps;
  const webhook = await sheddingWebhook(3);
  const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
  const name = `shedding-${world.longhornNs}`;
  after(async () => {
    await admission.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined);
    webhook.close();
  });
  try {
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name },
        webhooks: [
          {
            name: 'shedding.lbg.test',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            timeoutSeconds: 5,
            clientConfig: {
              url: `https://127.0.0.1:${webhook.port}/`,
              caBundle: Buffer.from(webhook.ca).toString('base64'),
            },
            rules: [
              { apiGroups: ['longhorn.io'], apiVersions: ['*'], operations: ['CREATE'], resources: ['recurringjobs'] },
            ],
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': world.longhornNs } },
          },
        ],
      },
    });
    const handle = await world.start('shedding');
    await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);
    // The first job create meets the 429; a PVC made after that must wait for the pause too.
    await world.createPvc(app, 'one', enabledLabels('one'));
    await waitFor('the 429 answered', async () => (webhook.arrivals.length >= 1 ? true : undefined));
    await sleep(500); // the answer reaches the reconciler
    await world.createPvc(app, 'two', enabledLabels('two'));
    await world.waitForJob(`backup-${app}-one`);
    await world.waitForJob(`backup-${app}-two`);
    const [shed = 0, next = 0] = webhook.arrivals;
    assert.ok(
      webhook.arrivals.length >= 3,
      `the webhook saw the 429'd create and both creates after it: ${webhook.arrivals.length}`,
    );
    assert.ok(
      next - shed >= 2_900,
      `no RecurringJob create reached the apiserver within Retry-After (3 s) of the 429: the next came after ${Math.round(next - shed)} ms`,
    );
    assert.ok(handle.writes.throttledCount() >= 1, 'counted');
    assert.match(await scrape(handle), /^backup_reconciler_write_throttled_total [1-9]/m);
  } finally {
    await world.stopAll();
  }
});

test("one clock: a pod whose clock is two hours ahead still archives (its times are corrected to the apiserver's Date)", async () => {
  const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
  const [app = ''] = world.apps;
  try {
    const handle = await world.start('skewed', { localClock: () => Date.now() + 2 * 3_600_000 });
    await waitFor('leading', async () => (handle.isLeader() ? true : undefined), 15_000);
    await waitFor('the offset measured', async () => {
      const offset = Number(/^backup_reconciler_clock_offset_seconds (\S+)$/m.exec(await scrape(handle))?.[1]);
      return Math.abs(offset + 7_200) < 60 ? true : undefined;
    });
    const job = await archivingPvc(world, app, 'db', 'vol-db', '2099-12-31');
    const snapshot = await waitForArchiveObject<Snapshot>(world, 'snapshots', job, 1);
    const started = Date.parse(annotationOf(await world.job(job), 'archive-attempt-started-at') ?? '');
    assert.ok(
      Math.abs(started - Date.now()) < 60_000,
      `the attempt's start is recorded in the apiserver's time, not the pod's: ${new Date(started).toISOString()}`,
    );
    await sleep(1_000);
    handle.resync();
    await handle.whenIdle();
    const failed = (await world.events(app, 'db')).filter((event) => event.reason === 'ArchiveFailed');
    assert.deepEqual(
      failed.map((event) => event.message),
      [],
      'a Snapshot made a second ago has not timed out (snapshotReadyTimeout 10m)',
    );
    await setStatus(world, 'snapshots', snapshot.metadata.name ?? '', { readyToUse: true });
    const backup = await waitForArchiveObject<Backup>(world, 'backups', job, 1);
    assert.equal(backup.spec?.snapshotName, snapshot.metadata.name);
  } finally {
    await world.stopAll();
  }
});
