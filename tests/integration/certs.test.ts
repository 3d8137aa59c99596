// The certificate manager against a real apiserver: one Secret shared by every replica (created
// once, reused, never overwritten in a race), caBundle injection without needless writes, rotation
// of a short-lived serving certificate while an HTTPS server keeps answering, a new CA trusted
// before it is served (and the old one after, for the overlap), and no lost certificate when the
// API refuses.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createServer, type Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type V1MutatingWebhook,
} from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { certificatesInPemBundle, overlapMs } from '@longhorn-backup-guard/certs/ca-bundle-contents';
import { caBundleOf } from '@longhorn-backup-guard/certs/ca-bundle-patch';
import { readCertificateFacts } from '@longhorn-backup-guard/certs/certificate-facts';
import {
  CertificateManager,
  type CertificateManagerOptions,
  type ServingCertificate,
} from '@longhorn-backup-guard/certs/certificate-manager';
import { storedCertificatesOf } from '@longhorn-backup-guard/certs/certificate-secret';
import { resolveCertificateSettings } from '@longhorn-backup-guard/certs/certificate-settings';
import { ensureCertificateSecret } from '@longhorn-backup-guard/certs/ensure-certificate-secret';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import { reloadTlsServerOnRotation, secureContextOptions } from '@longhorn-backup-guard/certs/reload-tls-server';
import { renewalDueAt } from '@longhorn-backup-guard/certs/renewal-decision';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const client = kubeClientOf(kc);
const admission = kc.makeApiClient(AdmissionregistrationV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const serviceName = 'guard-webhook';
const secretName = 'guard-webhook-tls';

/** Log lines the managers wrote, for checking what they decided. */
const logLines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'info' },
  {
    write: (line: string) => {
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    },
  },
);

function manager(
  namespace: string,
  options: Partial<CertificateManagerOptions> = {},
  kubeConfig: KubeConfig = kc,
): CertificateManager {
  const created = new CertificateManager({
    kubeConfig,
    namespace,
    serviceName,
    secretName,
    ipAddresses: ['127.0.0.1'],
    logger,
    checkIntervalMs: 500,
    retryInitialMs: 100,
    retryMaxMs: 400,
    ...options,
  });
  after(() => created.stop());
  return created;
}

async function readStored(namespace: string) {
  const secret = await core.readNamespacedSecret({ namespace, name: secretName });
  return { secret, stored: storedCertificatesOf(secret) };
}

test('the Secret is created once and reused by the next manager; other names get a new serving certificate from the same CA', async () => {
  const ns = await cluster.createNamespace('certs-reuse');
  const first = manager(ns);
  const created = await first.start();
  await first.stop();
  const { secret, stored } = await readStored(ns);
  assert.equal(secret.type, 'kubernetes.io/tls');
  assert.equal(stored.tlsCert, created.cert);
  assert.equal(stored.caCert, created.caCert);
  assert.deepEqual(readCertificateFacts(created.cert).ipAddresses, ['127.0.0.1']);
  assert.deepEqual(readCertificateFacts(created.cert).dnsNames, [
    serviceName,
    `${serviceName}.${ns}`,
    `${serviceName}.${ns}.svc`,
    `${serviceName}.${ns}.svc.cluster.local`,
  ]);

  const second = manager(ns);
  const reused = await second.start();
  await second.stop();
  assert.equal(reused.caCert, created.caCert);
  assert.equal(reused.cert, created.cert);
  assert.equal(
    (await readStored(ns)).secret.metadata?.resourceVersion,
    secret.metadata?.resourceVersion,
    'a reused Secret is not written',
  );

  const renamed = manager(ns, { extraDnsNames: ['guard.example.com'] });
  const reissued = await renamed.start();
  await renamed.stop();
  assert.equal(reissued.caCert, created.caCert, 'same CA');
  assert.notEqual(reissued.cert, created.cert);
  assert.ok(readCertificateFacts(reissued.cert).dnsNames.includes('guard.example.com'));
  assert.equal((await readStored(ns)).stored.tlsCert, reissued.cert);
});

test('racing replicas: one creates the Secret, the other adopts it; one renews, the other adopts the renewal', async () => {
  const ns = await cluster.createNamespace('certs-race');
  const settings = resolveCertificateSettings({
    namespace: ns,
    serviceName,
    secretName,
    ipAddresses: ['127.0.0.1'],
    servingValiditySeconds: 3600,
  });
  const clock = () => new Date();
  const created = await Promise.all([
    ensureCertificateSecret(client, settings, clock),
    ensureCertificateSecret(client, settings, clock),
  ]);
  assert.deepEqual(created.map((result) => result.outcome).sort(), ['adopted', 'created']);
  assert.deepEqual(created[0].bundle, created[1].bundle);

  // Later, when renewal is due, both see it at once: one writes, the other gets 409 and adopts.
  const later = new Date(Date.now() + 3000 * 1000);
  const renewed = await Promise.all([
    ensureCertificateSecret(client, settings, () => later),
    ensureCertificateSecret(client, settings, () => later),
  ]);
  assert.deepEqual(renewed.map((result) => result.outcome).sort(), ['adopted', 'reissued']);
  assert.deepEqual(renewed[0].bundle, renewed[1].bundle);
  assert.equal(renewed[0].bundle.ca.cert, created[0].bundle.ca.cert);
  assert.notEqual(renewed[0].bundle.serving.cert, created[0].bundle.serving.cert);
  const { stored } = await readStored(ns);
  assert.equal(stored.tlsCert, renewed[0].bundle.serving.cert);

  // Two managers starting together in a fresh namespace end with one Secret, both using it.
  const ns2 = await cluster.createNamespace('certs-race');
  const [a, b] = await Promise.all([manager(ns2).start(), manager(ns2).start()]);
  assert.equal(a.cert, b.cert);
  assert.equal(a.caCert, b.caCert);
  const secrets = await core.listNamespacedSecret({ namespace: ns2 });
  assert.deepEqual(
    secrets.items.map((item) => item.metadata?.name),
    [secretName],
  );
  assert.equal(storedCertificatesOf(secrets.items[0]!).tlsCert, a.cert);
});

function neverMatchingWebhook(name: string): V1MutatingWebhook {
  const nothing = { matchLabels: { 'lbg-certs-test/never': 'matches' } };
  return {
    name,
    clientConfig: { url: 'https://127.0.0.1:1/never-called' },
    rules: [
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'], scope: 'Namespaced' },
    ],
    namespaceSelector: nothing,
    objectSelector: nothing,
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Ignore',
    timeoutSeconds: 1,
  };
}

test('the CA is injected into every webhook of both configurations, one created late, and not rewritten when right', async () => {
  const ns = await cluster.createNamespace('certs-inject');
  const suffix = randomBytes(4).toString('hex');
  const mutatingName = `lbg-certs-test-m-${suffix}`;
  const validatingName = `lbg-certs-test-v-${suffix}`;
  const webhooks = [
    neverMatchingWebhook('one.certs-test.lbg.example'),
    neverMatchingWebhook('two.certs-test.lbg.example'),
  ];
  after(async () => {
    await admission.deleteMutatingWebhookConfiguration({ name: mutatingName }).catch(() => undefined);
    await admission.deleteValidatingWebhookConfiguration({ name: validatingName }).catch(() => undefined);
  });
  await admission.createMutatingWebhookConfiguration({ body: { metadata: { name: mutatingName }, webhooks } });

  const options = {
    mutatingWebhookConfigurationName: mutatingName,
    validatingWebhookConfigurationName: validatingName,
  };
  const certificate = await manager(ns, options).start();
  const wanted = caBundleOf(certificate.caCert);
  const mutating = await admission.readMutatingWebhookConfiguration({ name: mutatingName });
  assert.deepEqual(
    mutating.webhooks?.map((webhook) => webhook.clientConfig.caBundle),
    [wanted, wanted],
  );
  assert.ok(
    logLines.some((line) => line.name === validatingName && /not found/.test(String(line.msg))),
    'the missing configuration is logged',
  );

  const {
    sideEffects: _s,
    reinvocationPolicy: _r,
    ...validatingWebhook
  } = neverMatchingWebhook('three.certs-test.lbg.example');
  await admission.createValidatingWebhookConfiguration({
    body: { metadata: { name: validatingName }, webhooks: [{ ...validatingWebhook, sideEffects: 'None' }] },
  });
  const validating = await waitFor(
    'the caBundle in the late configuration',
    async () => {
      const read = await admission.readValidatingWebhookConfiguration({ name: validatingName });
      return read.webhooks?.[0]?.clientConfig.caBundle === wanted ? read : undefined;
    },
    10_000,
  );

  // A second manager, and further checks of the first, find everything right and write nothing.
  await manager(ns, options).start();
  await sleep(1200);
  assert.equal(
    (await admission.readMutatingWebhookConfiguration({ name: mutatingName })).metadata?.resourceVersion,
    mutating.metadata?.resourceVersion,
  );
  assert.equal(
    (await admission.readValidatingWebhookConfiguration({ name: validatingName })).metadata?.resourceVersion,
    validating.metadata?.resourceVersion,
  );
});

test('the Secret deleted: the caBundle carries the new CA next to the old before any replica serves the new, and drops the old after the overlap', async () => {
  const ns = await cluster.createNamespace('certs-new-ca');
  const configurationName = `lbg-certs-test-ca-${randomBytes(4).toString('hex')}`;
  after(() => admission.deleteMutatingWebhookConfiguration({ name: configurationName }).catch(() => undefined));
  await admission.createMutatingWebhookConfiguration({
    body: { metadata: { name: configurationName }, webhooks: [neverMatchingWebhook('ca.certs-test.lbg.example')] },
  });
  let clockAheadMs = 0; // both replicas' clock, moved past the overlap at the end
  // A 5 s check (the first retry 100 ms): the other replica adopts the new CA up to 5 s later, and
  // the old CA stays for two checks after the new one was made.
  const options = {
    mutatingWebhookConfigurationName: configurationName,
    checkIntervalMs: 5_000,
    now: () => new Date(Date.now() + clockAheadMs),
  };
  const replicas = [manager(ns, options), manager(ns, options)];
  const oldCa = (await replicas[0]!.start()).caCert;
  await replicas[1]!.start();
  const carried = async (): Promise<string[]> => {
    const read = await admission.readMutatingWebhookConfiguration({ name: configurationName });
    return certificatesInPemBundle(Buffer.from(read.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString());
  };
  assert.deepEqual(await carried(), [oldCa]);

  // Every 20 ms: a CA a replica serves (taken before the read) that the caBundle does not carry.
  const untrusted: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const served = replicas.map((replica) => replica.current?.caCert ?? '');
      const bundle = await carried();
      if (bundle.length > 2) untrusted.push(`${bundle.length} CAs carried`);
      for (const ca of served) if (!bundle.includes(ca)) untrusted.push(readCertificateFacts(ca).subject);
      await sleep(20);
    }
  })();
  await core.deleteNamespacedSecret({ namespace: ns, name: secretName });
  const newCa = await waitFor(
    'both replicas on the new CA',
    async () => {
      const cas = new Set(replicas.map((replica) => replica.current?.caCert));
      return cas.size === 1 && !cas.has(oldCa) ? [...cas][0] : undefined;
    },
    30_000,
    20,
  );
  await sleep(1_000);
  sampling = false;
  await sampler;
  assert.deepEqual(untrusted, [], "no moment in which a replica's CA was not in the caBundle");
  assert.deepEqual(await carried(), [newCa, oldCa], 'the old CA is still carried within the overlap');
  assert.ok(
    logLines.some((line) => /did not carry before this check/.test(String(line.msg))),
    'the replica that injected the new CA served it only from its next check',
  );

  // Past the overlap (two check intervals plus the notBefore backdate), the old CA is dropped.
  clockAheadMs = overlapMs(5_000, 400) + 60_000;
  await waitFor('the old CA dropped', async () => ((await carried()).length === 1 ? true : undefined), 20_000);
  assert.deepEqual(await carried(), [newCa]);
});

/** One fresh TLS connection (no keep-alive), verified against `ca`; the serial the server presented. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca, agent: false, timeout: 2000 }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerX509Certificate()?.serialNumber;
      res.resume();
      res.on('end', () => {
        if (serial) resolve(serial);
        else reject(new Error('no peer certificate'));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('a 6 s serving certificate rotates: new tls.crt, same CA, subscribers told, HTTPS keeps answering with the new one', async () => {
  const ns = await cluster.createNamespace('certs-rotate');
  const short = { servingValiditySeconds: 6, renewBeforeExpiryFraction: 1 / 3, checkIntervalMs: 1000 };
  const renewer = manager(ns, short);
  const other = manager(ns, short); // a second replica: renews, or picks the renewal up from the Secret
  const initial = await renewer.start();
  assert.equal((await other.start()).cert, initial.cert);
  const told: ServingCertificate[] = [];
  const toldOther: ServingCertificate[] = [];
  renewer.onRotation((certificate) => told.push(certificate));
  other.onRotation((certificate) => toldOther.push(certificate));

  const server: Server = createServer(secureContextOptions(initial), (_req, res) => res.end('ok'));
  reloadTlsServerOnRotation(server, renewer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;

  const served: string[] = [];
  const failed: unknown[] = [];
  await waitFor(
    'a connection served with a rotated certificate',
    async () => {
      try {
        served.push(await servedSerial(port, initial.caCert));
      } catch (error) {
        failed.push(error);
      }
      return told.length > 0 && served.at(-1) !== initial.serialNumber ? true : undefined;
    },
    15_000,
    200,
  );
  assert.deepEqual(failed, [], 'every TLS connection succeeded, verified against the CA');
  assert.equal(served[0], initial.serialNumber, 'served the first certificate before the rotation');
  assert.ok(new Set(served).size >= 2, 'the served serial changed');
  assert.ok(told.length > 0 && told[0]!.serialNumber !== initial.serialNumber);
  assert.equal(told[0]!.caCert, initial.caCert, 'the CA does not change');

  const { stored } = await readStored(ns);
  assert.equal(stored.caCert, initial.caCert);
  assert.notEqual(stored.tlsCert, initial.cert);
  await waitFor(
    'the other replica on the same certificate',
    async () => (toldOther.length > 0 ? true : undefined),
    5000,
  );
  assert.equal(toldOther[0]!.caCert, initial.caCert);
});

test('while the API refuses, start keeps retrying and a running manager keeps its certificate; it renews once allowed again', async () => {
  const ns = await cluster.createNamespace('certs-denied');
  const user = `system:serviceaccount:${ns}:guard-webhook`;
  const role = {
    metadata: { name: 'certificates' },
    rules: [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [secretName], verbs: ['get', 'update'] },
    ],
  };
  const binding = {
    metadata: { name: 'certificates' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'certificates' },
    subjects: [{ kind: 'ServiceAccount', name: 'guard-webhook', namespace: ns }],
  };
  const denied = manager(
    ns,
    { servingValiditySeconds: 6, checkIntervalMs: 500 },
    cluster.impersonatingKubeConfig(user),
  );
  let started: ServingCertificate | undefined;
  const starting = denied.start().then((certificate) => {
    started = certificate;
  });
  await sleep(800);
  assert.equal(started, undefined, 'no certificate without access to the Secret');
  assert.ok(logLines.some((line) => /certificate check failed/.test(String(line.msg)) && /403/.test(String(line.err))));

  // A manager stopped before it ever had a certificate: start() rejects, nothing is left running.
  const abandoned = manager(ns, {}, cluster.impersonatingKubeConfig(user));
  const abandonedStart = abandoned.start();
  await sleep(200);
  await abandoned.stop();
  await assert.rejects(abandonedStart, /stopped before it had a certificate/);

  await rbac.createNamespacedRole({ namespace: ns, body: role });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: binding });
  await starting;
  const first = started!;

  await rbac.deleteNamespacedRoleBinding({ namespace: ns, name: 'certificates' });
  await sleep(Math.max(0, renewalDueAt(first, 1 / 3).getTime() - Date.now()) + 1000);
  assert.equal(denied.current?.serialNumber, first.serialNumber, 'the last good certificate stays in use');

  await rbac.createNamespacedRoleBinding({ namespace: ns, body: binding });
  const renewed = await waitFor(
    'renewal once allowed again',
    async () => (denied.current?.serialNumber !== first.serialNumber ? denied.current : undefined),
    10_000,
  );
  assert.equal(renewed.caCert, first.caCert);
  assert.equal((await readStored(ns)).stored.tlsCert, renewed.cert);
});
