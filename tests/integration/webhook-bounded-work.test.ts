// Work per review is bounded whatever the review holds (issue 11, item 2), on the real webhook on
// loopback: a PVC with 40,000 unknown backup labels, a 1 MB label key, a body nested a million
// levels deep, and reviews about namespaces the cache does not hold (asked of the real apiserver
// once, through a relay that counts the GETs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startCountingProxy, type CountingProxy } from './counting-apiserver-proxy.ts';
import {
  P,
  createStorageClasses,
  postRaw,
  registrationFor,
  runId,
  startTestWebhook,
  type RunningWebhook,
} from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const id = runId();
const classes = await createStorageClasses(kc, id);
let proxy: CountingProxy;
let webhook: RunningWebhook;
let ca = '';

before(async () => {
  proxy = await startCountingProxy(kc);
  const certificateNamespace = await cluster.createNamespace('lbg-wh-bounded');
  // No configuration is registered: only this file's requests reach this instance.
  webhook = await startTestWebhook({
    cluster,
    registration: registrationFor(id),
    certificateNamespace,
    kubeConfig: proxy.kubeConfig(),
  });
  ca = webhook.certificates.current?.caCert ?? '';
});

after(async () => {
  await webhook.handle.close();
  await proxy.close();
  await classes.remove();
});

const json = { 'content-type': 'application/json' };

function reviewBody(namespace: string, labels: Record<string, string>, request: Record<string, unknown> = {}): string {
  const object = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace, labels },
    spec: { storageClassName: classes.longhorn },
  };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
      operation: 'CREATE',
      namespace,
      name: 'data',
      object,
      ...request,
    },
  });
}

interface Answer {
  readonly response: { readonly uid: string; readonly allowed: boolean; readonly warnings?: readonly string[] };
}

async function validate(body: string): Promise<Answer> {
  const answer = await postRaw(webhook.port, '/validate', ca, body, json);
  assert.equal(answer.status, 200, answer.body.slice(0, 500));
  return JSON.parse(answer.body) as Answer;
}

test('40,000 unknown backup labels: 10 named warnings and one that counts the rest', async () => {
  const labels: Record<string, string> = { [`${P}/enabled`]: 'false' };
  for (let index = 0; index < 40_000; index++) labels[`${P}/x${String(index).padStart(5, '0')}`] = 'v';
  const { response } = await validate(reviewBody('team', labels));
  assert.equal(response.allowed, true);
  const warnings = response.warnings ?? [];
  assert.ok(warnings.length <= 12, `${warnings.length} warnings`);
  assert.equal(warnings.filter((warning) => warning.includes('is not a backup label and is ignored')).length, 10);
  assert.ok(
    warnings.includes(`and 39990 more labels under ${P}/ that are no backup labels are ignored`),
    warnings.join('\n'),
  );
  assert.ok(warnings[0]?.startsWith(`${P}/x00000 is not a backup label`), warnings[0]);
});

test('a 1 MB label key: one short warning, no edit-distance search over it', async () => {
  const key = `${P}/${'k'.repeat(1024 * 1024)}`;
  const answer = await postRaw(
    webhook.port,
    '/validate',
    ca,
    reviewBody('team', { [`${P}/enabled`]: 'false', [key]: 'v' }),
    json,
  );
  assert.equal(answer.status, 200);
  assert.ok(answer.body.length < 4096, `an answer of ${answer.body.length} bytes`);
  const warnings = (JSON.parse(answer.body) as Answer).response.warnings ?? [];
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? '',
    new RegExp(`^${P.replaceAll('.', '\\.')}/k{20,}… is not a backup label and is ignored: the backup labels are `),
  );
});

test('a body nested 600,000 and a million levels deep: 400 with a message on both paths, and the process keeps serving', async () => {
  // As deep as fits in the body limit (4 MiB): 6 bytes a level for objects, 2 for arrays.
  const depth = 600_000;
  const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  // In request.kind: read and described before any decision (it overflowed the stack: a 500).
  const inKind = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-2","operation":"CREATE","kind":${deep}}}`;
  const deepArray = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
  for (const path of ['/mutate', '/validate']) {
    for (const body of [inKind, deepArray]) {
      const answer = await postRaw(webhook.port, path, ca, body, json);
      assert.equal(answer.status, 400, answer.body.slice(0, 300));
      assert.deepEqual(JSON.parse(answer.body), {
        statusCode: 400,
        message: 'the body nests deeper than 100 levels: an AdmissionReview of a PVC needs about 12',
      });
    }
  }
  // Deep, but not too deep for the parser to be worth it: a value is described in a few characters.
  const nested = `${'{"a":'.repeat(90)}1${'}'.repeat(90)}`;
  const answer = await postRaw(
    webhook.port,
    '/validate',
    ca,
    `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-3","operation":"CREATE","kind":${nested}}}`,
    json,
  );
  assert.equal(answer.status, 400);
  assert.match(
    (JSON.parse(answer.body) as { message: string }).message,
    /^not a valid AdmissionReview for a PVC: request.kind is \{"a":\{"a":\{"a":\{…\}\}\}\}: this webhook admits/,
  );
  assert.equal((await validate(reviewBody('team', { [`${P}/enabled`]: 'false' }))).response.allowed, true);
});

test('a namespace the cache does not hold is asked of the apiserver once, not once per review; an unknown one too', async () => {
  const ghost = `lbg-ghost-${randomBytes(4).toString('hex')}`;
  const reads = () => proxy.count('GET', `/api/v1/namespaces/${ghost}`);
  const body = reviewBody(ghost, {});
  await Promise.all(Array.from({ length: 20 }, () => postRaw(webhook.port, '/mutate', ca, body, json)));
  for (let index = 0; index < 20; index++)
    assert.equal((await postRaw(webhook.port, '/mutate', ca, body, json)).status, 200);
  assert.equal(reads(), 1, 'GETs of a namespace that does not exist');

  // Names that cannot be a namespace are not asked at all.
  const invalid = `Not_A_Namespace-${randomBytes(2).toString('hex')}`;
  assert.equal((await postRaw(webhook.port, '/mutate', ca, reviewBody(invalid, {}), json)).status, 200);
  assert.equal(proxy.count('GET', `/api/v1/namespaces/${invalid}`), 0);

  // Many made-up names at once: at most 4 GETs at a time, the rest judged without the namespace's labels.
  const names = Array.from({ length: 40 }, (_, index) => `lbg-made-up-${id}-${index}`);
  const answers = await Promise.all(
    names.map((name) => postRaw(webhook.port, '/mutate', ca, reviewBody(name, {}), json)),
  );
  assert.ok(answers.every((answer) => answer.status === 200));
  const madeUp = new RegExp(`^/api/v1/namespaces/lbg-made-up-${id}-`);
  assert.ok(proxy.count('GET', madeUp) <= names.length);
  assert.ok(
    proxy.peakConcurrency('GET', madeUp) <= 4,
    `${proxy.peakConcurrency('GET', madeUp)} GETs in flight at once`,
  );
});

test('the answer about a namespace is kept briefly: a namespace created afterwards is seen (from the cache or a new GET)', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `lbg-later-${randomBytes(4).toString('hex')}`;
  assert.equal((await postRaw(webhook.port, '/mutate', ca, reviewBody(name, {}), json)).status, 200);
  await core.createNamespace({ body: { metadata: { name, labels: { [`${P}/default-enabled`]: 'true' } } } });
  try {
    await waitFor(
      'the new namespace policy to apply',
      async () => {
        const answer = await postRaw(webhook.port, '/mutate', ca, reviewBody(name, {}), json);
        const patch = (JSON.parse(answer.body) as { response: { patch?: string } }).response.patch;
        return patch !== undefined && Buffer.from(patch, 'base64').toString('utf8').includes('"value":"true"')
          ? true
          : undefined;
      },
      20_000,
      200,
    );
  } finally {
    await core.deleteNamespace({ name }).catch(() => undefined);
  }
});
