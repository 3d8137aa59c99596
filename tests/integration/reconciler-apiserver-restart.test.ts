// The apiserver stops and comes back under a running reconciler (a private control plane): its
// watches break and its lease cannot be renewed; afterwards it converges on what changed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, enabledLabels, ReconcilerWorld, waitForSeries } from './reconciler-fixture.ts';

const cluster = await startPrivateCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const handle = await world.start();
after(() => world.stopAll());

const jobOf = (name: string) => `backup-${app}-${name}`;

test('after an apiserver outage the reconciler converges on the changes made since', async () => {
  const { controlPlane } = cluster;
  assert.ok(controlPlane);
  await world.createPvc(app, 'before', enabledLabels('before'));
  await world.waitForJob(jobOf('before'));

  await controlPlane.stopApiserver();
  await sleep(3_000);
  await controlPlane.startApiserver();

  await world.labelPvc(app, 'before', { [`${P}/retain`]: '12' });
  await world.createPvc(app, 'after', enabledLabels('after'));
  await world.bind(app, 'after', 'vol-after');
  await world.waitForJob(jobOf('before'), (job) => job.spec?.retain === 12, 'the label change made after the outage');
  await world.waitForJob(jobOf('after'));
  await world.waitForVolumeLabels(
    'vol-after',
    (labels) => labels[`recurring-job.longhorn.io/${jobOf('after')}`] === 'enabled',
    'the volume label',
  );
  await waitForSeries(handle, 'backup_pvc_managed', { job: jobOf('after'), namespace: app, pvc: 'after' }, true);
  await waitFor('leading again', async () => (handle.isLeader() ? true : undefined));

  // And it is back to the steady state.
  await handle.whenIdle();
  const before = handle.writes.snapshot();
  handle.resync();
  await handle.whenIdle();
  assert.deepEqual(handle.writes.snapshot(), before);
});
