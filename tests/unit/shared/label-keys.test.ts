import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupLabelsDiffer } from '@longhorn-backup-guard/shared/intent/backup-labels-changed';
import { backupLabelKeys, isBackupLabelKey, pvcLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { unknownBackupLabels } from '@longhorn-backup-guard/shared/intent/unknown-backup-labels';

const P = 'backup.vluwte.nl';

test('label keys are functions of the prefix', () => {
  const keys = backupLabelKeys('b.example');
  assert.equal(keys.fullBackupInterval, 'b.example/full-backup-interval');
  assert.equal(keys.archiveDeleteAfter, 'b.example/archive-delete-after');
  assert.equal(keys.managed, 'b.example/managed');
  assert.equal(keys.sourceNamespace, 'b.example/source-namespace');
  assert.equal(keys.sourcePvc, 'b.example/source-pvc');
  assert.equal(keys.policy, 'b.example/policy');
  assert.equal(keys.sourcePolicy, 'b.example/source-policy');
  assert.equal(pvcLabelKeys(P).length, 10);
});

test('isBackupLabelKey: our prefix followed by a slash, nothing else', () => {
  assert.equal(isBackupLabelKey(`${P}/enabled`, P), true);
  assert.equal(isBackupLabelKey(`${P}/anything`, P), true);
  assert.equal(isBackupLabelKey(`${P}x/enabled`, P), false);
  assert.equal(isBackupLabelKey(`x.${P}/enabled`, P), false);
  assert.equal(isBackupLabelKey('app', P), false);
  assert.equal(isBackupLabelKey(P, P), false);
});

test('backupLabelsDiffer ignores every other label', () => {
  const before = { app: 'x', [`${P}/enabled`]: 'true' };
  assert.equal(backupLabelsDiffer(before, { ...before, app: 'y', other: '1' }, P), false);
  assert.equal(backupLabelsDiffer(before, { ...before }, P), false);
  assert.equal(backupLabelsDiffer(undefined, null, P), false);
  assert.equal(backupLabelsDiffer(undefined, { app: 'x' }, P), false);
  assert.equal(backupLabelsDiffer(before, { ...before, [`${P}/enabled`]: 'false' }, P), true);
  assert.equal(backupLabelsDiffer(before, { app: 'x' }, P), true);
  assert.equal(backupLabelsDiffer(before, { ...before, [`${P}/name`]: 'n' }, P), true);
  assert.equal(backupLabelsDiffer({ [`${P}/a`]: '1' }, { [`${P}/b`]: '1' }, P), true);
});

test('unknownBackupLabels names typos with a suggestion', () => {
  const found = unknownBackupLabels(
    { [`${P}/intervall`]: '4', [`${P}/enabled`]: 'true', [`${P}/zzzzzzzz`]: '1', app: 'x' },
    P,
  );
  assert.deepEqual(
    found.map((f) => [f.key, f.suggestion]),
    [
      [`${P}/intervall`, `${P}/interval`],
      [`${P}/zzzzzzzz`, null],
    ],
  );
  assert.equal(found[0]?.message, `${P}/intervall is not a backup label and is ignored: did you mean ${P}/interval?`);
  assert.deepEqual(unknownBackupLabels(undefined, P), []);
});
