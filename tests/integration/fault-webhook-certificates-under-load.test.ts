// Two webhook replicas behind one address (a round-robin TCP balancer, as a Service), called by the
// real apiserver with failurePolicy Fail (a failed call shows), under an open-loop stream of 50
// PVC admissions a second: while the 6 s serving certificate rotates (target: 0 failed), and while
// the certificate Secret, CA included, is deleted and made again (the failures counted and the
// window measured).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { mergePatch } from '@longhorn-backup-guard/shared/kube/patch-content-types';
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
import { startAdmissionStream, type AdmissionOutcome } from './admission-stream.ts';

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
  await deleteConfigurations(kc, registration);
  for (const replica of replicas) await replica.handle.close();
  await new Promise((resolve) => balancer.server.close(resolve));
  await classes.remove();
});

/** Round-robin TCP to the replicas (TLS passes through), one connection at a time, as a Service. */
async function startBalancer(): Promise<{ server: Server; port: number; ports: number[] }> {
  const ports: number[] = [];
  const port = await freePort();
  let next = 0;
  const server = createServer((client: Socket) => {
    const upstream = connect(ports[next++ % ports.length] ?? 0, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port, ports };
}

const stream = (prefix: string) =>
  startAdmissionStream({
    kubeConfig: kc,
    namespace,
    storageClassName: classes.longhorn,
    perSecond: RATE,
    prefix,
    dryRun: true,
    expectedLabels: (name) => ({ [`${P}/enabled`]: 'true', [`${P}/name`]: name }),
  });

/** From the first failed admission sent to the last one answered, in ms (0 when none failed). */
function failureWindowMs(outcomes: readonly AdmissionOutcome[]): number {
  const failed = outcomes.filter((o) => o.result !== 'admitted');
  if (failed.length === 0) return 0;
  return Math.max(...failed.map((o) => o.sentAtMs + o.latencyMs)) - Math.min(...failed.map((o) => o.sentAtMs));
}

const summary = (outcomes: readonly AdmissionOutcome[]) => [
  ...new Set(outcomes.filter((o) => o.result !== 'admitted').map((o) => o.result.slice(0, 200))),
];

test('two replicas under 50 admissions/s: 0 failed while the certificate rotates; the CA re-created within a bounded window', async (t) => {
  await registerConfigurations(kc, registration, balancer.port, 'Fail');
  for (const _ of [0, 1]) {
    const replica = await startTestWebhook({
      cluster,
      registration,
      certificateNamespace,
      certificateOptions: { servingValiditySeconds: 6, checkIntervalMs: CHECK_INTERVAL_MS },
      maxRequestsPerSocket: 50,
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
  await sleep(10_000);
  const rotation = await rotating.stop();
  clearInterval(sampler);
  assert.ok(serials.size >= 3, `the certificate rotated at least twice: ${serials.size} serials`);
  assert.deepEqual(summary(rotation), [], 'no admission failed while the certificate rotated');

  // CA re-creation: the Secret is deleted; a replica makes a new CA and certificate and injects the
  // CA into the configurations, the other adopts them on its next check.
  const oldCa = replicas[0]?.certificates.current?.caCert;
  const recreating = stream('ca');
  await sleep(1_000);
  await core.deleteNamespacedSecret({ namespace: certificateNamespace, name: 'webhook-tls' });
  await waitFor(
    'both replicas on the new CA',
    async () => (replicas.every((r) => r.certificates.current?.caCert !== oldCa) ? true : undefined),
    10_000,
  );
  await sleep(3_000);
  const recreation = await recreating.stop();
  const failed = recreation.filter((o) => o.result !== 'admitted');
  const windowMs = failureWindowMs(recreation);
  t.diagnostic(
    `rotation: ${rotation.length} admissions at ${RATE}/s, ${serials.size} serving certificates, ${rotation.length - rotation.filter((o) => o.result === 'admitted').length} failed`,
  );
  t.diagnostic(
    `CA re-created: ${recreation.length} admissions, ${failed.length} failed in a window of ${windowMs} ms (check interval ${CHECK_INTERVAL_MS} ms): ${summary(recreation).join(' | ')}`,
  );
  assert.ok(windowMs < CHECK_INTERVAL_MS, `the CA re-creation window (${windowMs} ms) is under one check interval`);
});
