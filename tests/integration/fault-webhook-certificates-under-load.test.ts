// Two webhook replicas behind one address (a round-robin TCP balancer, as a Service), called by the
// real apiserver with failurePolicy Fail (a failed call shows), under an open-loop stream of 50
// PVC admissions a second: while the 6 s serving certificate rotates (target: 0 failed), and while
// the certificate Secret, CA included, is deleted and made again (target: 0 failed, and no moment
// in which a replica's certificate is not trusted by the caBundle).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { certificatesInPemBundle } from '@longhorn-backup-guard/certs/ca-bundle-contents';
import { mergePatch } from '../harness/patch-content-types.ts';
import { PooledKubeConfig } from '../harness/pooled-kube-config.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { waitFor } from '../harness/wait-for.ts';
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
import { NO_ANSWER, startAdmissionStream, type AdmissionOutcome } from './admission-stream.ts';

const RATE = 50;
const CHECK_INTERVAL_MS = 500;

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const classes = await createStorageClasses(kc, runId());
const registration = registrationFor(runId());
const certificateNamespace = await cluster.createNamespace('lbg-wh-certs');
const namespace = await cluster.createNamespace('lbg-wh-load', registration.namespaceLabels);
await core.patchNamespace(
  { name: namespace, body: { metadata: { labels: { [`${P}/default-enabled`]: 'true' } } } },
  mergePatch,
);
const replicas: RunningWebhook[] = [];
const balancer = await startBalancer();
after(async () => {
  // Run alone, the file's private control plane is already gone: the rest must still be closed.
  await deleteConfigurations(kc, registration).catch(() => undefined);
  for (const replica of replicas) await replica.handle.close();
  await balancer.close();
  await Promise.all(pooledKubeConfigs.map((pooled) => pooled.closeTransport()));
  await classes.remove();
});

/** Round-robin TCP to the replicas (TLS passes through), one connection at a time, as a Service. */
async function startBalancer(): Promise<{ close(): Promise<void>; port: number; ports: number[] }> {
  const ports: number[] = [];
  const port = await freePort();
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client: Socket) => {
    const upstream = connect(ports[next++ % ports.length] ?? 0, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  // Closing waits for no kept-alive connection of the apiserver: they are cut.
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { close, port, ports };
}

/**
 * The product's pooled transport, for the replicas (as main.ts runs them) and the stream: client-node's
 * own opens a TLS connection per request, whose CPU at 50/s starved this process (a replica's check
 * of its certificate waited 40 s, and the certificate expired meanwhile).
 */
const pooledKubeConfigs: PooledKubeConfig[] = [];
function pooledKubeConfig(): PooledKubeConfig {
  const pooled = new PooledKubeConfig();
  pooled.loadFromFile(cluster.info.kubeconfigPath);
  pooledKubeConfigs.push(pooled);
  return pooled;
}
const streamKubeConfig = pooledKubeConfig();

const stream = (prefix: string) =>
  startAdmissionStream({
    kubeConfig: streamKubeConfig,
    namespace,
    storageClassName: classes.longhorn,
    perSecond: RATE,
    prefix,
    dryRun: true,
    expectedLabels: (name) => ({ [`${P}/enabled`]: 'true', [`${P}/name`]: name }),
  });

/**
 * Failures of the certificate: the apiserver refused what a replica presented (unknown authority,
 * expired, wrong name). On a loaded machine calls also time out (a starved event loop: the
 * apiserver's call of a replica, or the test's own call of the apiserver); those are counted apart.
 */
const certificateFailure = (result: string) => /x509|certificate|remote error|bad record/i.test(result);
const timeoutFailure = (result: string) => /timeout|deadline exceeded/i.test(result) || result.startsWith(NO_ANSWER);

function failures(outcomes: readonly AdmissionOutcome[]): { certificate: string[]; timeout: number; other: string[] } {
  const failed = outcomes.filter((o) => o.result !== 'admitted').map((o) => o.result.slice(0, 300));
  return {
    certificate: failed.filter(certificateFailure),
    timeout: failed.filter((r) => !certificateFailure(r) && timeoutFailure(r)).length,
    other: failed.filter((r) => !certificateFailure(r) && !timeoutFailure(r)),
  };
}

/**
 * Samples, every 20 ms, whether each replica's certificate chains to a CA the apiserver has in
 * the configuration's caBundle (a PEM bundle): the time either does not is the window in which a
 * new connection from the apiserver would fail. The replicas' CAs are taken before the
 * configuration is read: a replica serves a new CA only once the caBundle carries it, so a
 * replica that switched between the two does not count as untrusted.
 */
function startTrustSampler(): { stop(): number } {
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  let untrustedMs = 0;
  let last = performance.now();
  let running = true;
  void (async () => {
    while (running) {
      const served = replicas.map((r) => r.certificates.current?.caCert ?? '');
      const configuration = await admission
        .readMutatingWebhookConfiguration({ name: registration.configurationName })
        .catch(() => undefined);
      const trusted = certificatesInPemBundle(
        Buffer.from(configuration?.webhooks?.[0]?.clientConfig?.caBundle ?? '', 'base64').toString(),
      );
      const now = performance.now();
      if (served.some((ca) => !trusted.includes(certificatesInPemBundle(ca)[0] ?? ''))) untrustedMs += now - last;
      last = now;
      await sleep(20);
    }
  })();
  return {
    stop() {
      running = false;
      return Math.round(untrustedMs);
    },
  };
}

test('two replicas under 50 admissions/s: 0 failed while the certificate rotates and while the CA is re-created', async (t) => {
  await registerConfigurations(kc, registration, balancer.port, 'Fail');
  for (const _ of [0, 1]) {
    const replica = await startTestWebhook({
      cluster,
      registration,
      certificateNamespace,
      kubeConfig: pooledKubeConfig(),
      // retryMaxMs 2 s: the old CA stays two of those after the new one is made (ca-bundle-contents.ts),
      // longer than a check takes on a starved machine, as 2 x 60 s does in production.
      certificateOptions: { servingValiditySeconds: 6, checkIntervalMs: CHECK_INTERVAL_MS, retryMaxMs: 2_000 },
      maxRequestsPerSocket: 10, // the apiserver reconnects often: many TLS handshakes
    });
    replicas.push(replica);
    balancer.ports.push(replica.port);
  }
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);

  // Rotation: the 6 s certificate is renewed every 4 s by one replica, adopted by the other.
  const serials = new Set<string>();
  const sampler = setInterval(() => {
    for (const replica of replicas) serials.add(replica.certificates.current?.serialNumber ?? '');
  }, 100);
  const rotating = stream('rotate');
  t.after(() => rotating.stop()); // also when an assertion fails before
  await sleep(10_000);
  const rotation = await rotating.stop();
  clearInterval(sampler);
  const rotationFailures = failures(rotation);
  assert.ok(serials.size >= 3, `the certificate rotated at least twice: ${serials.size} serials`);
  assert.deepEqual(rotationFailures.certificate, [], 'no admission failed on the certificate while it rotated');
  assert.deepEqual(rotationFailures.other, []);

  // CA re-creation: the Secret is deleted; a replica makes a new CA and certificate, injects the new
  // CA next to the old one, and serves it from its next check; the other adopts it on its next check.
  const oldCa = replicas[0]?.certificates.current?.caCert;
  const recreating = stream('ca');
  t.after(() => recreating.stop());
  await sleep(1_000);
  const trust = startTrustSampler();
  const deletedAt = performance.now();
  let adoptedMs: number;
  try {
    await core.deleteNamespacedSecret({ namespace: certificateNamespace, name: 'webhook-tls' });
    await waitFor(
      'both replicas on the new CA',
      async () => (replicas.every((r) => r.certificates.current?.caCert !== oldCa) ? true : undefined),
      60_000, // minting a CA takes seconds on a starved machine
      20,
    );
    adoptedMs = performance.now() - deletedAt;
    await sleep(1_000);
  } finally {
    trust.stop();
  }
  const windowMs = trust.stop();
  await sleep(2_000);
  const recreation = await recreating.stop();
  const recreationFailures = failures(recreation);
  const load = loadavg()[0]?.toFixed(1);
  t.diagnostic(
    `rotation: ${rotation.length} admissions at ${RATE}/s, ${serials.size} serving certificates, ${rotationFailures.certificate.length} failed on the certificate, ${rotationFailures.timeout} timed out or unanswered (load average ${load})`,
  );
  t.diagnostic(
    `CA re-created: ${recreation.length} admissions, ${recreationFailures.certificate.length} failed on the certificate, ${recreationFailures.timeout} timed out or unanswered; a replica's certificate was not trusted by the apiserver's caBundle for ${windowMs} ms (check interval ${CHECK_INTERVAL_MS} ms); both replicas on the new CA ${Math.round(adoptedMs)} ms after the Secret was deleted`,
  );
  assert.deepEqual(recreationFailures.other, [], 'every other admission was answered right');
  // Before the caBundle carried both CAs (the new one served before it was injected, the old one
  // dropped while the other replica still served it) the window was 78 ms to 1.9 s.
  assert.deepEqual(
    recreationFailures.certificate,
    [],
    'no admission failed on the certificate while the CA was re-created',
  );
  assert.ok(windowMs < CHECK_INTERVAL_MS, `a replica's certificate untrusted by the caBundle for ${windowMs} ms`);
});
