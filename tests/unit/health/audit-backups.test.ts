// The audit: Backups of jobs that no longer exist, archive Backups past their delete-after date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditBackups } from '@longhorn-backup-guard/reconciler/health/audit-backups';
import type { BackupRecord } from '@longhorn-backup-guard/reconciler/health/backup-record';
import { job, managedLabels, P } from '../reconciler/snapshot-fixtures.ts';

const b = (name: string, extra: Partial<BackupRecord>): BackupRecord => ({
  metadata: { name, namespace: 'longhorn-system' },
  state: 'Completed',
  ...extra,
});

test('untracked: every Backup of a job that is gone; expired: archive Backups of a job past its date', () => {
  const archived = job(
    'backup-a-old',
    managedLabels('a', 'old', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2026-11-20' }),
  );
  const future = job(
    'backup-a-new',
    managedLabels('a', 'new', { [`${P}/archive`]: 'true', [`${P}/archive-delete-after`]: '2027-01-01' }),
  );
  const audit = auditBackups(
    [
      {
        jobName: 'backup-a-gone',
        backups: [b('g1', { job: 'backup-a-gone' }), b('g2', { job: 'backup-a-gone' })],
        job: undefined,
      },
      {
        jobName: 'backup-a-old',
        backups: [b('o1', { job: 'backup-a-old' }), b('o2', { archiveJob: 'backup-a-old' })],
        job: archived,
      },
      { jobName: 'backup-a-new', backups: [b('n1', { archiveJob: 'backup-a-new' })], job: future },
    ],
    P,
    new Date('2026-11-21T00:00:00Z'),
  );
  assert.deepEqual([...audit.untracked], [['backup-a-gone', 2]]);
  assert.deepEqual([...audit.expiredArchives], [['backup-a-old', 1]]);
  // The delete-after day itself is not past yet.
  assert.deepEqual(
    [
      ...auditBackups(
        [{ jobName: 'backup-a-old', backups: [b('o2', { archiveJob: 'backup-a-old' })], job: archived }],
        P,
        new Date('2026-11-20T23:59:59Z'),
      ).expiredArchives,
    ],
    [],
  );
});
