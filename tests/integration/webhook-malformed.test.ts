// Requests straight at the webhook that are no AdmissionReview of a PVC: each gets a 4xx with a
// JSON message, never a 5xx, and the process keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { useTestCluster } from '../harness/test-cluster.ts';
import { P, postRaw, registrationFor, runId, startTestWebhook, type RunningWebhook } from './webhook-support.ts';

const cluster = await useTestCluster();
let webhook: RunningWebhook;
let ca = '';

before(async () => {
  const certificateNamespace = await cluster.createNamespace('lbg-wh-malformed');
  // No configuration is registered: the apiserver never calls this instance.
  webhook = await startTestWebhook({ cluster, registration: registrationFor(runId()), certificateNamespace });
  ca = webhook.certificates.current?.caCert ?? '';
});

after(async () => {
  await webhook.handle.close();
});

const json = { 'content-type': 'application/json' };
const pvc = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'team', labels: { [`${P}/enabled`]: 'yes' } },
  spec: {},
};
const goodRequest = {
  uid: 'u-1',
  kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
  operation: 'CREATE',
  namespace: 'team',
  name: 'data',
  object: pvc,
};
const review = (changes: Record<string, unknown> = {}, request: Record<string, unknown> = goodRequest) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request, ...changes });

const cases: {
  case: string;
  path?: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
}[] = [
  { case: 'not JSON', body: '{"apiVersion":', headers: json, status: 400, message: /^the body is not valid JSON/ },
  { case: 'empty body', body: '', headers: json, status: 400, message: /^the body is empty/ },
  {
    case: 'text/plain',
    body: review(),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    message: /^Content-Type must be application\/json \(an AdmissionReview\), got "text\/plain"$/,
  },
  { case: 'no Content-Type', body: review(), status: 415, message: /^Content-Type must be application\/json/ },
  {
    case: 'form data',
    body: 'a=b',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    message: /Content-Type must be/,
  },
  {
    case: 'wrong apiVersion',
    body: review({ apiVersion: 'admission.k8s.io/v1beta1' }),
    headers: json,
    status: 400,
    message: /apiVersion is "admission.k8s.io\/v1beta1": expected admission.k8s.io\/v1$/,
  },
  {
    case: 'wrong kind',
    body: review({ kind: 'ConversionReview' }),
    headers: json,
    status: 400,
    message: /kind is "ConversionReview": expected AdmissionReview$/,
  },
  { case: 'no request', body: review({ request: undefined }), headers: json, status: 400, message: /has no request$/ },
  {
    case: 'no uid',
    body: review({}, { ...goodRequest, uid: undefined }),
    headers: json,
    status: 400,
    message: /request.uid is missing or empty$/,
  },
  {
    case: 'not a PVC',
    body: review({}, { ...goodRequest, kind: { group: '', version: 'v1', kind: 'Pod' } }),
    headers: json,
    status: 400,
    message: /PersistentVolumeClaims \(group "", kind PersistentVolumeClaim\) only$/,
  },
  {
    case: 'object not a PVC',
    body: review({}, { ...goodRequest, object: { ...pvc, kind: 'Secret' } }),
    headers: json,
    status: 400,
    message: /request.object is a "Secret", not a PersistentVolumeClaim/,
  },
  { case: 'a JSON array', body: '[1,2]', headers: json, status: 400, message: /not an AdmissionReview object/ },
  { case: 'prototype pollution', body: '{"__proto__":{"x":1}}', headers: json, status: 400, message: /.+/ },
  {
    case: '5 MiB body',
    body: Buffer.alloc(5 * 1024 * 1024, 0x20),
    headers: json,
    status: 413,
    message:
      /^the body is larger than the limit of 4194304 bytes \(4 MiB\): a review of a PVC etcd can store \(at most 1.5 MiB\) is smaller$/,
  },
];

for (const item of cases) {
  for (const path of ['/mutate', '/validate']) {
    test(`${path}: ${item.case} -> ${item.status} with a JSON message`, async () => {
      const response = await postRaw(webhook.port, path, ca, item.body, item.headers);
      assert.equal(response.status, item.status, response.body);
      const body = JSON.parse(response.body) as { message?: string; statusCode?: number };
      assert.equal(body.statusCode, item.status);
      assert.match(body.message ?? '', item.message);
    });
  }
}

test('a well-formed review gets 200 and the same uid', async () => {
  const response = await postRaw(webhook.port, '/validate', ca, review(), json);
  assert.equal(response.status, 200);
  const answer = JSON.parse(response.body) as { response: { uid: string; allowed: boolean } };
  assert.equal(answer.response.uid, 'u-1');
  assert.equal(answer.response.allowed, false);
});

test('fuzzed bodies and content types never get a 5xx, and the process keeps serving', async () => {
  const printable = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/+-.;= 0123456789'.split('')),
    maxLength: 40,
  });
  const contentType = fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', ''),
    printable,
  );
  const body = fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
    fc.string(),
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue().map((request) => review({}, request as Record<string, unknown>)),
    fc
      .record(
        {
          uid: fc.string(),
          operation: fc.jsonValue(),
          kind: fc.jsonValue(),
          object: fc.jsonValue(),
          oldObject: fc.jsonValue(),
          namespace: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((request) => review({}, request)),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/mutate', '/validate'), body, contentType, async (path, payload, type) => {
      const response = await postRaw(webhook.port, path, ca, payload, type === '' ? {} : { 'content-type': type });
      assert.ok(response.status < 500, `${response.status}: ${response.body}`);
      if (response.status >= 400)
        assert.ok(typeof (JSON.parse(response.body) as { message?: unknown }).message === 'string');
    }),
    { numRuns: 300 },
  );
  assert.equal((await postRaw(webhook.port, '/healthz', ca, '', {}, 'GET')).status, 200);
  assert.equal((await postRaw(webhook.port, '/validate', ca, review(), json)).status, 200);
});

test('the metrics count requests by webhook, operation and result, with a latency histogram', async () => {
  const response = await fetch(`http://127.0.0.1:${webhook.handle.metricsPort}/metrics`);
  const text = await response.text();
  const value = (series: string) =>
    Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  assert.ok(
    value('admission_requests_total{webhook="validate",operation="unknown",result="bad_request"}') >= cases.length,
  );
  assert.ok(value('admission_requests_total{webhook="validate",operation="CREATE",result="denied"}') >= 2);
  assert.equal(value('admission_requests_total{webhook="mutate",operation="DELETE",result="patched"}'), 0);
  assert.ok(value('admission_request_duration_seconds_count{webhook="validate",operation="CREATE"}') >= 2);
  assert.match(
    text,
    /^admission_request_duration_seconds_bucket\{le="0.005",webhook="mutate",operation="unknown"\} \d+$/m,
  );
});

test('/healthz and /readyz answer on the HTTPS port', async () => {
  assert.deepEqual(await postRaw(webhook.port, '/healthz', ca, '', {}, 'GET'), { status: 200, body: 'ok\n' });
  assert.deepEqual(await postRaw(webhook.port, '/readyz', ca, '', {}, 'GET'), { status: 200, body: 'ok\n' });
});
