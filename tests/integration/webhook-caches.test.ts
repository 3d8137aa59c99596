// The webhook's caches against a control plane of this file's own: watchNamespaces limits what is
// judged and follows a configuration change without a restart; after an apiserver restart the
// informers resume and duplicates are caught again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { startPrivateCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  P,
  createStorageClasses,
  mutableConfig,
  pvcBody,
  pvcYaml,
  registerConfigurations,
  registrationFor,
  runId,
  startTestWebhook,
  waitUntilWebhooksCalled,
  type RunningWebhook,
} from './webhook-support.ts';

const cluster = await startPrivateCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const registration = registrationFor(runId());
const classes = await createStorageClasses(kc, registration.id);

let webhook: RunningWebhook;
let watched = '';
let unwatched = '';
let config: ReturnType<typeof mutableConfig>;

before(async () => {
  watched = await cluster.createNamespace('lbg-wh-watched', registration.namespaceLabels);
  unwatched = await cluster.createNamespace('lbg-wh-unwatched', registration.namespaceLabels);
  for (const namespace of [watched, unwatched]) {
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: pvcBody('first', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'shared' }, classes.longhorn),
    });
  }
  const port = await freePort();
  await registerConfigurations(kc, registration, port, 'Fail');
  config = mutableConfig({ ...defaultConfig, watchNamespaces: [watched] });
  webhook = await startTestWebhook({
    cluster,
    registration,
    certificateNamespace: await cluster.createNamespace('lbg-wh-certs'),
    port,
    config,
  });
  await waitUntilWebhooksCalled(kc, watched, classes.longhorn);
});

after(async () => {
  await webhook.handle.close();
});

const dryRun = (namespace: string, name: string, labels: Record<string, string>) =>
  cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], {
    input: pvcYaml(namespace, name, labels, classes.longhorn),
  });
const duplicate = { [`${P}/enabled`]: 'true', [`${P}/name`]: 'shared' };

test('only watched namespaces are judged; a watchNamespaces change takes effect without a restart', async () => {
  const refused = await dryRun(watched, 'second', duplicate);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /denied the request: PVC "second": backup.vluwte.nl\/name="shared" is also used by PVC "first"/,
  );
  // Outside watchNamespaces a PVC is admitted untouched, whatever its labels.
  assert.equal((await dryRun(unwatched, 'second', duplicate)).code, 0);
  assert.equal((await dryRun(unwatched, 'bad', { [`${P}/enabled`]: 'yes' })).code, 0);

  config.set({ ...defaultConfig, watchNamespaces: [watched, unwatched] });
  const nowRefused = await waitFor(
    'the unwatched namespace judged',
    async () => {
      const result = await dryRun(unwatched, 'second', duplicate);
      return result.code === 1 ? result.stderr : undefined;
    },
    15_000,
    200,
  );
  assert.match(nowRefused, /is also used by PVC "first" in namespace "lbg-wh-unwatched-/);
  assert.ok(webhook.handle.readiness().ready);
});

test('after an apiserver restart the caches resume: a new PVC is seen and its duplicate refused', async () => {
  await cluster.controlPlane?.restartApiserver();
  await waitUntilWebhooksCalled(kc, watched, classes.longhorn);
  await core.createNamespacedPersistentVolumeClaim({
    namespace: watched,
    body: pvcBody('after-restart', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'fresh' }, classes.longhorn),
  });
  const refused = await waitFor(
    'the new PVC in the cache',
    async () => {
      const result = await dryRun(watched, 'fresh-copy', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'fresh' });
      return result.code === 1 ? result.stderr : undefined;
    },
    30_000,
    200,
  );
  assert.match(refused, /is also used by PVC "after-restart"/);
  assert.ok(webhook.handle.readiness().ready);
  const restarts = await webhook.handle.registry.getSingleMetric('backup_informer_restarts_total')?.get();
  assert.ok(
    (restarts?.values ?? []).reduce((sum, value) => sum + value.value, 0) >= 1,
    'the informers counted their restarts',
  );
});
