import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { InvalidConfigurationError } from '@longhorn-backup-guard/shared/config/invalid-configuration-error';
import { watchConfigFile } from '@longhorn-backup-guard/webhook/config/config-file';

const log = createLogger('webhook-test', 'silent');

test('invalid at start: an InvalidConfigurationError naming every key; missing file: the fs error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lbg-config-'));
  try {
    const path = join(dir, 'config.yaml');
    await writeFile(path, 'maxRetention: 0\ndefaults:\n  start: "24:00"\n');
    assert.throws(
      () => watchConfigFile({ path, log }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidConfigurationError);
        assert.match(
          error.message,
          /^invalid configuration in .*config.yaml:\n {2}maxRetention: "0" .*\n {2}defaults.start: "24:00" /,
        );
        return true;
      },
    );
    assert.throws(() => watchConfigFile({ path: join(dir, 'absent.yaml'), log }), /ENOENT/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('changes are followed; a bad change keeps the last good configuration; listeners hear only good ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lbg-config-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, '');
  const source = watchConfigFile({ path, log, pollIntervalMs: 20 });
  try {
    assert.equal(source.current().maxRetention, 100);
    const heard: number[] = [];
    source.onChange((config, previous) => heard.push(previous.maxRetention, config.maxRetention));
    await replaceAtomically(path, 'maxRetention: 50\n');
    await waitUntil(() => source.current().maxRetention === 50);
    await replaceAtomically(path, 'maxRetention: many\n');
    await sleep(100);
    assert.equal(source.current().maxRetention, 50);
    await replaceAtomically(path, 'watchNamespaces: [team-a]\n');
    await waitUntil(() => source.current().watchNamespaces.length === 1);
    assert.deepEqual(heard, [100, 50, 50, 100]);
  } finally {
    source.stop();
    await rm(dir, { recursive: true });
  }
});

// The kubelet swaps a mounted ConfigMap atomically; a plain writeFile truncates first, and a poll
// between truncate and write would read an empty (valid: all defaults) file.
async function replaceAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.next`, text);
  await rename(`${path}.next`, path);
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
  assert.ok(condition());
}
