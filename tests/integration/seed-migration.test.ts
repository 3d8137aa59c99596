// Moving over from the seed controller (vluwte/longhorn-backup-controller) on a real apiserver: the
// cluster holds what the seed leaves behind (its RecurringJobs with the ownership labels and its
// Quartz-style cron, the job labels on the Volumes, its ConfigMap of defaults), the seed's defaults
// are carried over as the README says, and the product starts. Its jobs must be adopted in place:
// the same objects (no delete, no create), only the differing field written, every Volume keeping
// its job label at every moment, and an Event per PVC saying what changed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Watch } from '@kubernetes/client-node';
import { backupHealthKeys, isBackupHealthState } from '@longhorn-backup-guard/shared/health/health-summary';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { useTestCluster } from '../harness/test-cluster.ts';
import { P, enabledLabels, ReconcilerWorld } from './reconciler-fixture.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
after(() => world.stopAll());

// The seed's ConfigMap (in its backup-controller namespace), with defaults other than the built-in
// ones so that forgetting to carry them over would show as changed jobs.
const seedDefaults = { retain: '14', interval: '6', start: '0200', 'full-backup-interval': '7', concurrency: '2' };
// The README's mapping: the seed's five defaults go under `defaults:` of the product's config.
const carriedOver = [
  'defaults:',
  `  retain: ${seedDefaults.retain}`,
  `  interval: ${seedDefaults.interval}`,
  `  start: "${seedDefaults.start}"`,
  `  fullBackupInterval: ${seedDefaults['full-backup-interval']}`,
  `  concurrency: ${seedDefaults.concurrency}`,
].join('\n');

interface SeedPvc {
  pvc: string;
  name: string;
  labels: Record<string, string>;
  /** What the seed wrote into spec.cron (Quartz style: seconds-less 5 fields with `?` and `/`). */
  seedCron: string;
  /** What the product's standard 5-field cron for the same schedule is. */
  cron: string;
  retain: number;
  concurrency: number;
  fullBackupInterval: number;
}

const seedPvcs: SeedPvc[] = [
  // The seed's defaults (carried over): start 0200 every 6 h.
  {
    pvc: 'grafana',
    name: 'grafana',
    labels: {},
    seedCron: '0 2/6 * * ?',
    cron: '0 2,8,14,20 * * *',
    retain: 14,
    concurrency: 2,
    fullBackupInterval: 7,
  },
  // Overrides on the PVC; the seed's `21/6` fired once a day (21 only), the product's four times.
  {
    pvc: 'prometheus-server',
    name: 'prometheus',
    labels: { [`${P}/start`]: '2100', [`${P}/interval`]: '6', [`${P}/retain`]: '8' },
    seedCron: '0 21/6 * * ?',
    cron: '0 3,9,15,21 * * *',
    retain: 8,
    concurrency: 2,
    fullBackupInterval: 7,
  },
  {
    pvc: 'authelia',
    name: 'authelia',
    labels: { [`${P}/interval`]: '24', [`${P}/start`]: '0030', [`${P}/concurrency`]: '1' },
    seedCron: '30 0/24 * * ?',
    cron: '30 0 * * *',
    retain: 14,
    concurrency: 1,
    fullBackupInterval: 7,
  },
];
const jobOf = (name: string) => `backup-${app}-${name}`;
const jobLabel = (name: string) => `recurring-job.longhorn.io/${jobOf(name)}`;
const longhorn = { group: 'longhorn.io', version: 'v1beta2' };

/** A RecurringJob as the seed controller writes it. */
async function createSeedJob(seed: SeedPvc): Promise<RecurringJob> {
  const name = jobOf(seed.name);
  return (await world.custom.createNamespacedCustomObject({
    ...longhorn,
    namespace: world.longhornNs,
    plural: 'recurringjobs',
    fieldManager: 'backup-controller',
    body: {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: {
        name,
        labels: { [`${P}/managed`]: 'true', [`${P}/source-namespace`]: app, [`${P}/source-pvc`]: seed.pvc },
      },
      spec: {
        name,
        task: 'backup',
        cron: seed.seedCron,
        retain: seed.retain,
        concurrency: seed.concurrency,
        groups: [],
        labels: {},
        parameters: { 'full-backup-interval': String(seed.fullBackupInterval) },
      },
    },
  })) as RecurringJob;
}

interface Observed {
  type: string;
  kind: 'job' | 'volume';
  name: string;
  labels: Record<string, string>;
}

test("the seed controller's jobs are adopted in place: only the cron (and then its health) is written, no job recreated, no volume ever without its job, and an Event says what changed", async () => {
  // What the seed controller leaves in a cluster.
  const seedNs = await cluster.createNamespace('backup-controller');
  await world.core.createNamespacedConfigMap({
    namespace: seedNs,
    body: { metadata: { name: 'backup-controller-config' }, data: seedDefaults },
  });
  const seedJobs = new Map<string, RecurringJob>();
  for (const seed of seedPvcs) {
    await world.createPvc(app, seed.pvc, enabledLabels(seed.name, seed.labels));
    seedJobs.set(seed.name, await createSeedJob(seed));
    await world.bind(app, seed.pvc, `pvc-${seed.pvc}`, { [jobLabel(seed.name)]: 'enabled' });
  }
  await world.createPvc(app, 'scratch', { [`${P}/enabled`]: 'false' });
  const manual = await world.createJob('nightly-by-hand');

  // Every change to a job or a Volume from here on, in order.
  const observed: Observed[] = [];
  const kc = cluster.kubeConfig();
  const watches = [];
  for (const plural of ['recurringjobs', 'volumes'] as const) {
    const list = (await world.custom.listNamespacedCustomObject({
      ...longhorn,
      namespace: world.longhornNs,
      plural,
    })) as { metadata: { resourceVersion: string } };
    watches.push(
      await new Watch(kc).watch(
        `/apis/longhorn.io/v1beta2/namespaces/${world.longhornNs}/${plural}`,
        { resourceVersion: list.metadata.resourceVersion },
        (type, object: { metadata?: { name?: string; labels?: Record<string, string> } }) => {
          observed.push({
            type,
            kind: plural === 'volumes' ? 'volume' : 'job',
            name: object.metadata?.name ?? '',
            labels: object.metadata?.labels ?? {},
          });
        },
        () => {},
      ),
    );
  }

  // Scale the seed to 0 (it is not running here), carry its defaults over, start the product.
  await world.writeConfig(world.configYaml(carriedOver));
  const handle = await world.start();
  try {
    for (const seed of seedPvcs) {
      const job = await world.waitForJob(
        jobOf(seed.name),
        (j) => j.spec?.cron === seed.cron,
        `${jobOf(seed.name)} with cron ${seed.cron}`,
      );
      const before = seedJobs.get(seed.name);
      assert.equal(job.metadata.uid, before?.metadata.uid, `${jobOf(seed.name)} is the seed's object, not a new one`);
      assert.deepEqual(job.spec, { ...before?.spec, cron: seed.cron }, 'nothing but the cron changed');
      // Besides the cron, backup health records its state (label) and summary (annotation) on the job.
      const health = backupHealthKeys(P);
      const recorded = await world.waitForJob(
        jobOf(seed.name),
        (j) => isBackupHealthState(j.metadata.labels?.[health.state]),
        `${jobOf(seed.name)} with its health recorded`,
      );
      assert.deepEqual(recorded.spec, job.spec);
      assert.deepEqual(recorded.metadata.labels, {
        ...before?.metadata.labels,
        [health.state]: recorded.metadata.labels?.[health.state],
      });
      // The product's field manager owns exactly what it wrote: spec.cron and the health keys.
      const fields =
        (recorded.metadata as { managedFields?: { manager: string; fieldsV1?: unknown }[] }).managedFields ?? [];
      assert.deepEqual(fields.find((field) => field.manager === 'longhorn-backup-guard-reconciler')?.fieldsV1, {
        'f:metadata': {
          'f:annotations': { '.': {}, [`f:${health.summary}`]: {} },
          'f:labels': { [`f:${health.state}`]: {} },
        },
        'f:spec': { 'f:cron': {} },
      });
      await world.waitForEvent(
        app,
        seed.pvc,
        'BackupJobUpdated',
        new RegExp(
          `updated RecurringJob ${jobOf(seed.name)}: spec\\.cron: "${seed.seedCron.replace(/[*?/]/g, '\\$&')}" -> "${seed.cron.replace(/[*]/g, '\\*')}"$`,
        ),
      );
    }
    await handle.whenIdle();
    const writes = handle.writes.snapshot();
    assert.equal(writes.get('recurringjobs/patch'), 2 * seedPvcs.length, 'per seed job: the cron, then its health');
    assert.equal(writes.get('recurringjobs/create') ?? 0, 0, 'no job created');
    assert.equal(writes.get('recurringjobs/delete') ?? 0, 0, 'no job deleted');
    assert.equal(writes.get('volumes/patch') ?? 0, 0, 'the volume labels were already right');
    assert.equal(
      (await world.job('nightly-by-hand'))?.metadata.resourceVersion,
      manual.metadata.resourceVersion,
      'a job made by hand is untouched',
    );
    assert.equal(await world.job(jobOf('scratch')), undefined);

    // At no moment was a job gone or new, or a Volume without its job label.
    assert.deepEqual(
      observed.filter((change) => change.type !== 'MODIFIED'),
      [],
      'only modifications',
    );
    const jobChanges = observed.filter((change) => change.kind === 'job');
    assert.deepEqual(
      jobChanges.map((change) => change.name).sort(),
      seedPvcs.flatMap((seed) => [jobOf(seed.name), jobOf(seed.name)]).sort(),
      'each seed job written twice: the cron, then its health',
    );
    for (const change of observed.filter((c) => c.kind === 'volume')) {
      const seed = seedPvcs.find((s) => change.name === `pvc-${s.pvc}`);
      assert.equal(change.labels[jobLabel(seed?.name ?? '')], 'enabled', `${change.name} kept its job label`);
    }
  } finally {
    for (const watch of watches) watch.abort();
  }
});
