// The HTTP shell around the decisions, over HTTPS on loopback (the server as it runs): status
// codes, the JSON messages, readiness, a decision that throws, and the metrics each request leaves.
import { request as httpsRequest } from 'node:https';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { mintCertificateAuthority, plannedValidity } from '@longhorn-backup-guard/certs/mint-certificates';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { createAdmissionMetrics } from '@longhorn-backup-guard/webhook/server/admission-metrics';
import { buildAdmissionServer, type AdmissionServer } from '@longhorn-backup-guard/webhook/server/admission-server';
import type { AdmissionContext } from '@longhorn-backup-guard/webhook/decide/admission-context';
import { context, labels, pvc, review } from './review-fixtures.ts';

let app: AdmissionServer;
let port = 0;
let ca = '';
const registry = new Registry();
let ready = true;
let contextFor: (namespace: string) => AdmissionContext | Promise<AdmissionContext> = async () => context();

before(async () => {
  const tls = await mintCertificateAuthority('admission-server-test', plannedValidity(new Date(), 3600));
  app = buildAdmissionServer({
    logger: createLogger('webhook-test', 'silent'),
    tls,
    metrics: createAdmissionMetrics(registry),
    dependencies: {
      readiness: () => (ready ? { ready: true } : { ready: false, reason: 'caches not synced: namespaces' }),
      contextFor: (namespace) => contextFor(namespace),
      log: createLogger('webhook-test', 'silent'),
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  ca = tls.cert;
});

after(async () => {
  await app.close();
});

interface Answer {
  readonly statusCode: number;
  readonly body: string;
  json<T = unknown>(): T;
}

/** A request over HTTPS; a body given as chunks goes chunked (no Content-Length). */
function call(
  method: 'GET' | 'POST',
  path: string,
  body: string | readonly Buffer[] = '',
  headers: Record<string, string> = {},
): Promise<Answer> {
  const chunked = typeof body !== 'string';
  return new Promise((resolve, reject) => {
    const sent = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca,
        // The test's self-signed certificate names no address; the CA is still checked.
        checkServerIdentity: () => undefined,
        headers: chunked ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: response.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    // A server refusing a chunked body may end the connection before the whole body is written.
    sent.on('error', (error: NodeJS.ErrnoException) => (chunked && error.code === 'EPIPE' ? undefined : reject(error)));
    if (typeof body === 'string') sent.end(body);
    else {
      for (const chunk of body) sent.write(chunk);
      sent.end();
    }
  });
}

const post = (path: string, payload: unknown, contentType = 'application/json') =>
  call('POST', path, typeof payload === 'string' ? payload : JSON.stringify(payload), { 'content-type': contentType });

async function counter(webhook: string, operation: string, result: string): Promise<number> {
  const metric = await registry.getSingleMetric('admission_requests_total')?.get();
  return (
    metric?.values.find(
      (v) => v.labels.webhook === webhook && v.labels.operation === operation && v.labels.result === result,
    )?.value ?? Number.NaN
  );
}

test('a review is answered 200 with the decision; the counter and the histogram move', async () => {
  const before = await counter('validate', 'CREATE', 'denied');
  const response = await post('/validate', review('CREATE', pvc('data-pvc', labels({ enabled: 'yes' }))));
  assert.equal(response.statusCode, 200);
  const body = response.json<{ apiVersion: string; kind: string; response: { uid: string; allowed: boolean } }>();
  assert.equal(body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(body.kind, 'AdmissionReview');
  assert.deepEqual([body.response.uid, body.response.allowed], ['uid-1', false]);
  assert.equal(await counter('validate', 'CREATE', 'denied'), before + 1);
  const patched = await post('/mutate', review('CREATE', pvc('data-pvc', labels({ enabled: 'true' }))));
  assert.ok(patched.json<{ response: { patch?: string } }>().response.patch);
  assert.equal(await counter('mutate', 'CREATE', 'patched'), 1);
  const histogram = await registry.getSingleMetric('admission_request_duration_seconds')?.get();
  assert.ok(
    histogram?.values.some(
      (v) =>
        (v as { metricName?: string }).metricName === 'admission_request_duration_seconds_count' &&
        v.labels.webhook === 'mutate' &&
        v.value === 1,
    ),
  );
});

test('not ready: 503 with the reason (the apiserver applies the failurePolicy), counted as error', async () => {
  ready = false;
  try {
    const response = await post('/validate', review('UPDATE', pvc('a'), pvc('a')));
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { statusCode: 503, message: 'not ready: caches not synced: namespaces' });
    assert.equal(await counter('validate', 'UPDATE', 'error'), 1);
    assert.equal((await call('GET', '/readyz')).statusCode, 503);
    assert.equal((await call('GET', '/healthz')).statusCode, 200);
  } finally {
    ready = true;
  }
});

test('a failure while deciding: 500 with no details, counted as error, and the next request is fine', async () => {
  contextFor = async () => {
    throw new Error('boom');
  };
  try {
    const response = await post('/mutate', review('CREATE', pvc('a')));
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { statusCode: 500, message: 'the webhook failed to decide; see its log' });
    assert.equal(await counter('mutate', 'CREATE', 'error'), 1);
  } finally {
    contextFor = async () => context();
  }
  assert.equal((await post('/mutate', review('CREATE', pvc('a')))).statusCode, 200);
});

test('a context given at once (a cached namespace) or in a promise (one read first): the same answers; a throw is a 500', async () => {
  const reviews = [
    ['/validate', review('CREATE', pvc('data-pvc', labels({ enabled: 'yes' })))],
    ['/validate', review('CREATE', pvc('data-pvc', labels({ enabled: 'true' })))],
    ['/mutate', review('CREATE', pvc('data-pvc', labels({ enabled: 'true' })))],
    ['/mutate', review('CREATE', pvc('data-pvc'))],
  ] as const;
  const answers = async () => Promise.all(reviews.map(async ([url, body]) => (await post(url, body)).body));
  const promised = await answers();
  contextFor = () => context();
  try {
    assert.deepEqual(await answers(), promised);
    contextFor = () => {
      throw new Error('boom');
    };
    const response = await post('/validate', review('CREATE', pvc('a')));
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { statusCode: 500, message: 'the webhook failed to decide; see its log' });
  } finally {
    contextFor = async () => context();
  }
});

test('bodies that are no review: 4xx, counted as bad_request with operation unknown (or the one it said)', async () => {
  const before = await counter('validate', 'unknown', 'bad_request');
  assert.equal((await post('/validate', 'nope', 'text/plain')).statusCode, 415);
  assert.equal((await post('/validate', '{', 'application/json')).statusCode, 400);
  assert.equal((await post('/validate', { apiVersion: 'v1' })).statusCode, 400);
  assert.equal(await counter('validate', 'unknown', 'bad_request'), before + 3);
  const noUid = review('DELETE', null, pvc('a'));
  (noUid.request as Record<string, unknown>).uid = '';
  const response = await post('/validate', noUid);
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    statusCode: 400,
    message: 'not a valid AdmissionReview for a PVC: request.uid is missing or empty',
  });
  assert.equal(await counter('validate', 'DELETE', 'bad_request'), 1);
});

test('other paths and methods: 404, not counted', async () => {
  assert.equal((await call('GET', '/mutate')).statusCode, 404);
  assert.equal((await post('/convert', {})).statusCode, 404);
});

test('the query the apiserver adds (?timeout=10s) is the same webhook', async () => {
  const response = await post('/validate?timeout=10s', review('CREATE', pvc('data-pvc', labels({ enabled: 'yes' }))));
  assert.equal(response.statusCode, 200);
  assert.equal(response.json<{ response: { allowed: boolean } }>().response.allowed, false);
});

test('a chunked body (no Content-Length) past the 4 MiB limit: 413 once the limit is passed', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const response = await call('POST', '/mutate', [chunk, chunk, chunk, chunk, chunk], {
    'content-type': 'application/json',
  });
  assert.equal(response.statusCode, 413);
  assert.match(response.json<{ message: string }>().message, /larger than the limit of 4194304 bytes/);
});
