// Configuration from the ConfigMap: a changed default reaches every PVC that uses it without a
// restart, an invalid update is reported and the last good configuration stays, an invalid one
// at start stops the process with the key at fault, and a change of the watched namespaces applies.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { Registry } from 'prom-client';
import { InvalidConfigurationError } from '@longhorn-backup-guard/shared/config/invalid-configuration-error';
import { ConfigMapSource } from '@longhorn-backup-guard/reconciler/config/config-map-source';
import { startReconciler } from '@longhorn-backup-guard/reconciler/start-reconciler';
import { useTestCluster } from '../harness/test-cluster.ts';
import { P, enabledLabels, ReconcilerWorld, scrape } from './reconciler-fixture.ts';
import { waitFor } from '../harness/wait-for.ts';

const cluster = await useTestCluster();
const world = await ReconcilerWorld.create(cluster, { appNamespaces: 1 });
const [app = ''] = world.apps;
const handle = await world.start();
after(() => world.stopAll());

const jobOf = (name: string, namespace = app) => `backup-${namespace}-${name}`;

test('a changed default interval changes every default-using job, not one with its own interval label', async () => {
  await world.createPvc(app, 'dflt', enabledLabels('dflt'));
  await world.createPvc(app, 'own', enabledLabels('own', { [`${P}/interval`]: '4' }));
  await world.waitForJob(jobOf('dflt'));
  const own = await world.waitForJob(jobOf('own'));
  await handle.whenIdle();

  await world.writeConfig(world.configYaml('defaults:\n  interval: 6'));
  await world.waitForJob(
    jobOf('dflt'),
    (job) => job.spec?.cron === '30 0,6,12,18 * * *',
    'the default-using job follows',
  );
  await handle.whenIdle();
  assert.equal((await world.job(jobOf('own')))?.metadata.resourceVersion, own.metadata.resourceVersion);
  assert.equal(handle.config().defaults.interval, 6);
});

test('an invalid update is refused: Event on the ConfigMap, backup_config_valid 0, the last good configuration stays', async () => {
  await world.writeConfig(world.configYaml('defaults:\n  interval: 5'));
  await waitFor('backup_config_valid 0', async () =>
    /^backup_config_valid 0$/m.test(await scrape(handle)) ? true : undefined,
  );
  const event = await world.waitForEvent(
    world.guardNs,
    'longhorn-backup-guard',
    'InvalidConfiguration',
    /defaults\.interval/,
  );
  assert.equal(event.type, 'Warning');
  assert.equal(handle.config().defaults.interval, 6, 'the last good configuration is in force');
  await world.createPvc(app, 'later', enabledLabels('later'));
  const job = await world.waitForJob(jobOf('later'));
  assert.equal(job.spec?.cron, '30 0,6,12,18 * * *');

  await world.writeConfig(world.configYaml('defaults:\n  interval: 6'));
  await waitFor('backup_config_valid 1', async () =>
    /^backup_config_valid 1$/m.test(await scrape(handle)) ? true : undefined,
  );
});

test('adding a namespace to watchNamespaces brings its PVCs in without a restart', async () => {
  const extra = await cluster.createNamespace('late');
  await world.createPvc(extra, 'data', enabledLabels('data'));
  await sleep(300);
  assert.equal(await world.job(jobOf('data', extra)), undefined, 'not watched yet');
  world.apps.push(extra);
  await world.writeConfig(world.configYaml('defaults:\n  interval: 6'));
  await world.waitForJob(jobOf('data', extra));
});

test('an absent ConfigMap means the defaults', async () => {
  const empty = await cluster.createNamespace('noconfig');
  const source = new ConfigMapSource({
    kubeConfig: cluster.kubeConfig(),
    namespace: empty,
    name: 'longhorn-backup-guard',
    log: createLogger('test', 'warn'),
    registry: new Registry(),
    recordEvent: async () => {},
  });
  try {
    assert.deepEqual(await source.start(), defaultConfig);
  } finally {
    await source.stop();
  }
});

test('an invalid configuration at start is refused with a message naming the key', async () => {
  const bad = await cluster.createNamespace('badconfig');
  await world.core.createNamespacedConfigMap({
    namespace: bad,
    body: { metadata: { name: 'longhorn-backup-guard' }, data: { 'config.yaml': 'defaults:\n  retain: lots\n' } },
  });
  await assert.rejects(
    startReconciler({
      kubeConfig: cluster.kubeConfig(),
      namespace: bad,
      identity: 'x',
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      log: createLogger('test', 'silent'),
    }),
    (error: unknown) =>
      error instanceof InvalidConfigurationError &&
      /defaults\.retain: "lots" is not a whole number/.test(error.message),
  );

  // The process: exit 1, the key on stderr.
  const child = spawn(process.execPath, ['reconciler/src/main.ts'], {
    env: {
      ...process.env,
      KUBECONFIG: cluster.info.kubeconfigPath,
      POD_NAMESPACE: bad,
      POD_NAME: 'bad-1',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /defaults\.retain/);
});
