import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caBundleOf, caBundlePatch } from '@longhorn-backup-guard/certs/ca-bundle-patch';

const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const bundle = caBundleOf(pem);

test('caBundle is the base64 of the PEM text', () => {
  assert.equal(Buffer.from(bundle, 'base64').toString('utf8'), pem);
});

test('only webhooks whose caBundle differs are patched, each guarded by a test of its name', () => {
  const configuration = {
    webhooks: [
      { name: 'a.example.com', clientConfig: {} },
      { name: 'b.example.com', clientConfig: { caBundle: bundle } },
      { name: 'c.example.com', clientConfig: { caBundle: 'b2xk' } },
    ],
  };
  assert.deepEqual(caBundlePatch(configuration, bundle), [
    { op: 'test', path: '/webhooks/0/name', value: 'a.example.com' },
    { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: bundle },
    { op: 'test', path: '/webhooks/2/name', value: 'c.example.com' },
    { op: 'add', path: '/webhooks/2/clientConfig/caBundle', value: bundle },
  ]);
});

test('nothing to write when every webhook already carries the CA, or there are none', () => {
  assert.deepEqual(caBundlePatch({ webhooks: [{ name: 'a', clientConfig: { caBundle: bundle } }] }, bundle), []);
  assert.deepEqual(caBundlePatch({ webhooks: [] }, bundle), []);
  assert.deepEqual(caBundlePatch({}, bundle), []);
});
