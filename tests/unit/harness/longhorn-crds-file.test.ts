// The one message a clone on its own gets when Longhorn's CRDs file is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  longhornCrdsUrl,
  missingLonghornCrdsMessage,
  requireLonghornCrdsFile,
} from '../../harness/longhorn-crds-file.ts';
import { longhornCrdsPath, repoRoot } from '../../harness/paths.ts';

test('the message says where Longhorn publishes the CRDs of the pinned version and how to point LONGHORN_CRDS at them', () => {
  const message = missingLonghornCrdsMessage('/nowhere/crds-v1.12.1.yaml', false, 'v1.12.1');
  assert.match(message, /LONGHORN_CRDS is unset and the default \/nowhere\/crds-v1\.12\.1\.yaml does not exist/);
  assert.ok(message.includes('https://raw.githubusercontent.com/longhorn/longhorn-manager/v1.12.1/k8s/crds.yaml'));
  assert.match(message, /export LONGHORN_CRDS=\$PWD\/longhorn-crds\.yaml/);
  assert.equal(message.split('\n').length, 1, 'one message, one line');
  assert.match(
    missingLonghornCrdsMessage('/tmp/x.yaml', true, 'v1.11.3'),
    /LONGHORN_CRDS names \/tmp\/x\.yaml, which does not exist.*longhorn-manager\/v1\.11\.3\//,
  );
  assert.equal(
    longhornCrdsUrl('v1.12.1'),
    'https://raw.githubusercontent.com/longhorn/longhorn-manager/v1.12.1/k8s/crds.yaml',
  );
});

test('an existing file passes, a missing one throws that message', () => {
  assert.doesNotThrow(() => requireLonghornCrdsFile(join(repoRoot, 'package.json')));
  assert.throws(
    () => requireLonghornCrdsFile('/nowhere/crds.yaml'),
    /Longhorn publishes the CRDs of v1\.\d+\.\d+ at https:\/\//,
  );
});

test('`npm test` and `npm start` stop at once with the message, before building anything', () => {
  for (const script of ['tests/run.ts', 'scripts/start-local.ts']) {
    const result = spawnSync(process.execPath, [join(repoRoot, script)], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, LONGHORN_CRDS: '/nowhere/longhorn-crds.yaml', LBG_CACHE_DIR: '/nowhere/cache' },
    });
    assert.notEqual(result.status, 0, script);
    assert.match(result.stderr, /LONGHORN_CRDS names \/nowhere\/longhorn-crds\.yaml, which does not exist/, script);
    assert.equal(result.stderr.trim().split('\n').length, 1, `${script}: the message alone, no stack`);
  }
  assert.ok(longhornCrdsPath.endsWith('.yaml'));
});
