// The webhook with nothing but the shipped RBAC (manifests/core/webhook-rbac.yaml, moved to this
// test's namespaces, names and webhook configurations): its caches sync, so it becomes ready, and
// it reads the managed RecurringJobs of the Longhorn namespace for the DELETE decision. A rule
// missing from the manifest fails here rather than in a cluster.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { LONGHORN_GROUP, LONGHORN_PLURALS, LONGHORN_VERSION } from '@longhorn-backup-guard/shared/longhorn/api';
import { useTestCluster } from '../harness/test-cluster.ts';
import { shippedRbac } from '../harness/shipped-rbac.ts';
import { freePort } from '../harness/free-port.ts';
import { ArchiveScene } from './webhook-archive-support.ts';
import {
  P,
  createStorageClasses,
  deleteConfigurations,
  registerConfigurations,
  registrationFor,
  runId,
  startTestWebhook,
  waitUntilWebhooksCalled,
  type RunningWebhook,
} from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const registration = registrationFor(runId());
const classes = await createStorageClasses(kc, registration.id);
const guardNs = await cluster.createNamespace('lbg-wh-rbac-guard');
const longhornNs = await cluster.createNamespace('lbg-wh-rbac-longhorn');
const SERVICE_ACCOUNT = 'longhorn-backup-guard-webhook';
const SECRET_NAME = 'webhook-tls'; // what startTestWebhook's CertificateManager uses

const clusterName = `lbg-webhook-${registration.id}`;
const renamed: Record<string, string> = {
  'longhorn-backup-guard': registration.configurationName,
  'longhorn-backup-guard-webhook-tls': SECRET_NAME,
};
const rbac = {
  clusterName,
  yaml: shippedRbac({
    manifest: 'manifests/core/webhook-rbac.yaml',
    clusterName,
    guardNamespace: guardNs,
    longhornNamespace: longhornNs,
    renameResource: (name) => renamed[name] ?? name,
  }),
};
const applied = await cluster.kubectl(['apply', '-f', '-'], { input: rbac.yaml });
assert.equal(applied.code, 0, applied.stderr);
let webhook: RunningWebhook | undefined;

after(async () => {
  await deleteConfigurations(kc, registration);
  await webhook?.handle.close();
  await classes.remove();
  await cluster.kubectl(['delete', 'clusterrolebinding', rbac.clusterName, '--ignore-not-found']);
  await cluster.kubectl(['delete', 'clusterrole', rbac.clusterName, '--ignore-not-found']);
});

test('under the shipped RBAC the webhook becomes ready and a recorded archive lets a PVC go silently', async () => {
  const asWebhook = cluster.impersonatingKubeConfig(`system:serviceaccount:${guardNs}:${SERVICE_ACCOUNT}`);
  // The identity really is confined: it may read jobs in the Longhorn namespace, not elsewhere, and not change them.
  const jobs = asWebhook.makeApiClient(CustomObjectsApi);
  const api = { group: LONGHORN_GROUP, version: LONGHORN_VERSION, plural: LONGHORN_PLURALS.recurringJob };
  await jobs.listNamespacedCustomObject({ ...api, namespace: longhornNs, labelSelector: `${P}/managed=true` });
  const forbidden = (error: unknown) => error instanceof ApiException && error.code === 403;
  await assert.rejects(jobs.listNamespacedCustomObject({ ...api, namespace: guardNs }), forbidden);
  await assert.rejects(jobs.deleteNamespacedCustomObject({ ...api, namespace: longhornNs, name: 'any' }), forbidden);

  const port = await freePort();
  await registerConfigurations(kc, registration, port, 'Fail');
  const config = { ...defaultConfig, longhornNamespace: longhornNs, denyDeleteWithoutArchive: true };
  // Ready means every cache synced (recurringjobs included), the Secret stored and the caBundle written.
  webhook = await startTestWebhook({
    cluster,
    registration,
    certificateNamespace: guardNs,
    port,
    config,
    kubeConfig: asWebhook,
  });
  const namespace = await cluster.createNamespace('lbg-wh-rbac', registration.namespaceLabels);
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);

  const scene = new ArchiveScene(cluster, kc, {
    namespace,
    storageClass: classes.longhorn,
    longhornNamespace: longhornNs,
  });
  const uid = await scene.createPvc('data');
  await scene.waitForDeleteVerdict('data', 'denied');
  await scene.createJob('data', config);
  await scene.recordArchive('data', uid);
  await scene.waitForDeleteVerdict('data', 'silent');
  await scene.deletesSilently('data');
});
