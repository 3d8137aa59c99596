import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArchiveExpired } from '@longhorn-backup-guard/shared/intent/archive-expiry';
import { defaultBackupName, suggestBackupName } from '@longhorn-backup-guard/shared/intent/backup-name-rule';
import {
  isDnsLabel,
  isDnsSubdomain,
  isLabelValue,
  isQualifiedName,
} from '@longhorn-backup-guard/shared/names/kubernetes-names';
import { jobNameFor, nameRoomInNamespace } from '@longhorn-backup-guard/shared/intent/job-name';
import { closestMatch } from '@longhorn-backup-guard/shared/text/closest-match';
import { joinWords } from '@longhorn-backup-guard/shared/text/join-words';

test('Kubernetes name rules', () => {
  assert.ok(isDnsLabel('a') && isDnsLabel('a-b-1') && isDnsLabel('x'.repeat(63)));
  assert.ok(
    !isDnsLabel('') &&
      !isDnsLabel('A') &&
      !isDnsLabel('a_b') &&
      !isDnsLabel('-a') &&
      !isDnsLabel('a.b') &&
      !isDnsLabel('x'.repeat(64)),
  );
  assert.ok(isDnsSubdomain('backup.vluwte.nl') && !isDnsSubdomain('backup..nl') && !isDnsSubdomain('Backup.nl'));
  assert.ok(
    isQualifiedName('backup.vluwte.nl/default-enabled') &&
      isQualifiedName('Policy_x') &&
      isQualifiedName('kubernetes.io/aws-ebs'),
  );
  assert.ok(!isQualifiedName('a/b/c') && !isQualifiedName('/x') && !isQualifiedName('x/') && !isQualifiedName('a b'));
  assert.ok(
    isLabelValue('') &&
      isLabelValue('2026-07-11') &&
      isLabelValue('A.b_c') &&
      !isLabelValue('00:30') &&
      !isLabelValue('x'.repeat(64)),
  );
});

test('job name and the room left for a name', () => {
  assert.equal(jobNameFor('monitoring', 'grafana'), 'backup-monitoring-grafana');
  assert.equal(nameRoomInNamespace('monitoring'), 22);
  assert.equal(nameRoomInNamespace('n'.repeat(32)), 0);
});

test('backup names from PVC names', () => {
  assert.equal(defaultBackupName('monitoring', 'grafana'), 'grafana');
  assert.equal(defaultBackupName('monitoring', 'data.grafana'), null);
  assert.equal(defaultBackupName('monitoring', 'x'.repeat(23)), null);
  assert.equal(suggestBackupName('Data_Grafana.0', 'monitoring'), 'data-grafana-0');
  assert.equal(suggestBackupName('___', 'monitoring'), null);
  assert.equal(suggestBackupName('abc', 'n'.repeat(32)), null);
  assert.equal(suggestBackupName(`${'a'.repeat(21)}-b`, 'monitoring'), 'a'.repeat(21));
});

test('an archive expires once its whole day (UTC) has passed', () => {
  const archive = { deleteAfter: '2026-07-11' };
  assert.equal(isArchiveExpired(archive, new Date('2026-07-11T23:59:59.999Z')), false);
  assert.equal(isArchiveExpired(archive, new Date('2026-07-12T00:00:00Z')), true);
  assert.equal(isArchiveExpired({ deleteAfter: '2028-02-29' }, new Date('2028-03-01T00:00:00Z')), true);
  assert.equal(isArchiveExpired({ deleteAfter: '0099-12-31' }, new Date('0100-01-01T00:00:00Z')), true);
});

test('text helpers', () => {
  assert.equal(joinWords(['a'], 'or'), 'a');
  assert.equal(joinWords(['a', 'b', 'c'], 'or'), 'a, b or c');
  assert.equal(joinWords([], 'and'), '');
  assert.equal(closestMatch('resyncperiod', ['resyncPeriod', 'labelPrefix']), 'resyncPeriod');
  assert.equal(closestMatch('zzz', ['resyncPeriod']), null);
});
