// The webhook's certificate through the certs workspace: one Secret shared by instances, the CA
// injected as caBundle, rotation without a restart while admissions go on; and with the webhook
// gone and failurePolicy Ignore, PVCs are still created.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { useTestCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import {
  P,
  createStorageClasses,
  deleteConfigurations,
  pvcBody,
  pvcYaml,
  registerConfigurations,
  registrationFor,
  runId,
  servedCertificateSerial,
  startTestWebhook,
  waitUntilWebhooksCalled,
  type RunningWebhook,
} from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const admission = kc.makeApiClient(AdmissionregistrationV1Api);
const classes = await createStorageClasses(kc, runId());
const started: RunningWebhook[] = [];
const registrations = [registrationFor(runId()), registrationFor(runId())];
const [shared, rotating] = registrations as [ReturnType<typeof registrationFor>, ReturnType<typeof registrationFor>];

after(async () => {
  for (const registration of registrations) await deleteConfigurations(kc, registration);
  for (const webhook of started) await webhook.handle.close();
  await classes.remove();
});

async function start(options: Parameters<typeof startTestWebhook>[0]): Promise<RunningWebhook> {
  const webhook = await startTestWebhook(options);
  started.push(webhook);
  return webhook;
}

const secretData = async (namespace: string) => {
  const secret = await core.readNamespacedSecret({ namespace, name: 'webhook-tls' });
  return { resourceVersion: secret.metadata?.resourceVersion, data: secret.data ?? {} };
};
const badPvc = (name: string) => pvcBody(name, { [`${P}/enabled`]: 'yes' }, classes.longhorn);

let first: RunningWebhook;
let certificateNamespace = '';

test('the Secret is created once and reused by a second instance; the CA is injected as caBundle', async () => {
  certificateNamespace = await cluster.createNamespace('lbg-wh-certs');
  const port = await freePort();
  await registerConfigurations(kc, shared, port, 'Ignore');
  first = await start({ cluster, registration: shared, certificateNamespace, port });
  const created = await secretData(certificateNamespace);
  assert.ok(created.data['tls.crt'] && created.data['ca.crt']);

  const mutating = await admission.readMutatingWebhookConfiguration({ name: shared.configurationName });
  const validating = await admission.readValidatingWebhookConfiguration({ name: shared.configurationName });
  assert.equal(mutating.webhooks?.[0]?.clientConfig.caBundle, created.data['ca.crt']);
  assert.equal(validating.webhooks?.[0]?.clientConfig.caBundle, created.data['ca.crt']);

  const second = await start({ cluster, registration: shared, certificateNamespace });
  const ca = first.certificates.current?.caCert ?? '';
  assert.equal(await servedCertificateSerial(second.port, ca), await servedCertificateSerial(first.port, ca));
  assert.deepEqual(await secretData(certificateNamespace), created);
  await second.handle.close();
});

test('with the webhook stopped and failurePolicy Ignore, PVC creation still succeeds', async () => {
  const namespace = await cluster.createNamespace('lbg-wh-down', shared.namespaceLabels);
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);
  await assert.rejects(
    core.createNamespacedPersistentVolumeClaim({ namespace, body: badPvc('while-up') }),
    /denied the request/,
  );
  await first.handle.close();
  const result = await cluster.kubectl(['apply', '-f', '-'], {
    input: pvcYaml(namespace, 'while-down', { [`${P}/enabled`]: 'yes' }, classes.longhorn),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'persistentvolumeclaim/while-down created\n');
});

test('a short-lived certificate rotates while admissions keep succeeding', async (t) => {
  const rotationNamespace = await cluster.createNamespace('lbg-wh-rotate');
  const port = await freePort();
  // failurePolicy Fail: a TLS failure during a swap would show as an error, not slip through.
  await registerConfigurations(kc, rotating, port, 'Fail');
  const webhook = await start({
    cluster,
    registration: rotating,
    certificateNamespace: rotationNamespace,
    port,
    certificateOptions: { servingValiditySeconds: 6 },
    maxRequestsPerSocket: 50,
  });
  const namespace = await cluster.createNamespace('lbg-wh-rotating', rotating.namespaceLabels);
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);

  const ca = webhook.certificates.current?.caCert ?? '';
  const serials = new Set<string>();
  const outcomes: string[] = [];
  const deadline = Date.now() + 12_000;
  for (let i = 0; Date.now() < deadline; i++) {
    serials.add(await servedCertificateSerial(port, ca));
    const dryRun = { namespace, dryRun: 'All' as const };
    const denied = await core.createNamespacedPersistentVolumeClaim({ ...dryRun, body: badPvc(`bad-${i}`) }).then(
      () => 'admitted',
      (error: unknown) =>
        describeApiError(error).startsWith(
          `403: admission webhook "${rotating.validatingWebhookName}" denied the request: PVC "bad-${i}"`,
        )
          ? 'denied'
          : describeApiError(error),
    );
    const allowed = await core
      .createNamespacedPersistentVolumeClaim({
        ...dryRun,
        body: pvcBody(`good-${i}`, { [`${P}/enabled`]: 'true' }, classes.longhorn),
      })
      .then(
        (pvc) => (pvc.metadata?.labels?.[`${P}/name`] === `good-${i}` ? 'defaulted' : 'not defaulted'),
        (error: unknown) => describeApiError(error),
      );
    outcomes.push(denied, allowed);
  }
  t.diagnostic(`${outcomes.length} admissions, ${serials.size} serving certificates`);
  assert.ok(serials.size >= 2, `the certificate rotated (served serials: ${[...serials].join(', ')})`);
  assert.ok(outcomes.length >= 20);
  assert.deepEqual(
    outcomes.filter((outcome) => outcome !== 'denied' && outcome !== 'defaulted'),
    [],
  );
});
