// What the components' kubeconfig loader makes of a cluster and user entry, of kubeconfig files and
// of the in-cluster environment; what it refuses, it says why (shared/src/kube/kube-connection.ts,
// load-kube-config.ts). The requests themselves: tests/integration/kube-client.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { connectionOf } from '@longhorn-backup-guard/shared/kube/kube-connection';
import {
  SERVICE_ACCOUNT_DIR,
  connectionFromKubeconfig,
  inClusterConnection,
  loadKubeClient,
} from '@longhorn-backup-guard/shared/kube/load-kube-config';

const server = 'https://10.0.0.1:6443';

test('inline data is decoded, files stay files (re-read on rotation), a trailing slash is dropped', () => {
  const connection = connectionOf(
    { server: `${server}/`, caData: Buffer.from('CA').toString('base64') },
    { certFile: '/c.crt', keyFile: '/c.key', token: 't0ken', impersonateUser: 'system:serviceaccount:a:b' },
  );
  assert.equal(connection.server, server);
  assert.deepEqual(connection.ca, { bytes: Buffer.from('CA') });
  assert.deepEqual(connection.cert, { file: '/c.crt' });
  assert.deepEqual(connection.key, { file: '/c.key' });
  assert.deepEqual(connection.token, { bytes: Buffer.from('t0ken') });
  assert.equal(connection.skipTlsVerify, false);
  assert.equal(connection.impersonateUser, 'system:serviceaccount:a:b');
});

test('what the components do not support is refused with the reason and what to use instead', () => {
  const use = /the components authenticate with a ServiceAccount token or a client certificate/;
  assert.throws(
    () => connectionOf({ server }, { exec: { command: 'aws' } }),
    /exec credential plugins are not supported/,
  );
  assert.throws(() => connectionOf({ server }, { exec: { command: 'aws' } }), use);
  assert.throws(
    () => connectionOf({ server }, { authProvider: { name: 'oidc' } }),
    /auth-provider oidc is not supported/,
  );
  assert.throws(() => connectionOf({ server }, { username: 'u', password: 'p' }), /basic authentication/);
  assert.throws(() => connectionOf({ server, proxyUrl: 'http://proxy:3128' }, {}), /proxy-url is not supported/);
  assert.throws(() => connectionOf({ server: '' }, {}), /no server/);
  assert.throws(() => connectionOf({ server: 'ftp://x' }, {}), /neither https nor http/);
  assert.throws(() => connectionOf({ server }, { certData: 'eA==' }), /both its certificate and its key/);
  // client-node's in-cluster user names its token file as an auth provider: that one is a token file.
  assert.deepEqual(
    connectionOf({ server }, { authProvider: { name: 'tokenFile', config: { tokenFile: '/t' } } }).token,
    {
      file: '/t',
    },
  );
});

test('in the Pod: the service host and port (IPv6 in brackets), the projected token and CA as files', () => {
  const connection = inClusterConnection(
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    '/root',
  );
  assert.equal(connection.server, 'https://[fd00::1]:443');
  assert.deepEqual(connection.token, { file: join('/root', SERVICE_ACCOUNT_DIR, 'token') });
  assert.deepEqual(connection.ca, { file: join('/root', SERVICE_ACCOUNT_DIR, 'ca.crt') });
});

test('kubeconfig files: the current context, paths relative to the file, insecure-skip-tls-verify, as', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbg-kubeconfig-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    stringify({
      'current-context': 'b',
      contexts: [
        { name: 'a', context: { cluster: 'one', user: 'u' } },
        { name: 'b', context: { cluster: 'two', user: 'u' } },
      ],
      clusters: [
        { name: 'one', cluster: { server: 'https://one:6443' } },
        { name: 'two', cluster: { server, 'certificate-authority': 'pki/ca.crt', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'u', user: { tokenFile: '/var/token', as: 'someone' } }],
    }),
  );
  const connection = connectionFromKubeconfig([path]);
  assert.equal(connection.server, server);
  assert.deepEqual(connection.ca, { file: join(dir, 'pki/ca.crt') });
  assert.equal(connection.skipTlsVerify, true);
  assert.deepEqual(connection.token, { file: '/var/token' });
  assert.equal(connection.impersonateUser, 'someone');

  writeFileSync(path, stringify({ 'current-context': 'b', contexts: [{ name: 'b', context: { cluster: 'gone' } }] }));
  assert.throws(() => connectionFromKubeconfig([path]), /context b names no known cluster/);
  writeFileSync(path, stringify({ clusters: [] }));
  assert.throws(() => connectionFromKubeconfig([path]), /no current-context/);
});

test('with no KUBECONFIG, no ~/.kube/config and no in-cluster environment, start fails with what to do', () => {
  const home = mkdtempSync(join(tmpdir(), 'lbg-no-home-'));
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    assert.throws(
      () => loadKubeClient({}),
      /no Kubernetes cluster configured: set KUBECONFIG, provide ~\/.kube\/config, or run in a Pod/,
    );
  } finally {
    process.env.HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
});
