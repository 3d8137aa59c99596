import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isDnsLabel, isLabelValue } from '@longhorn-backup-guard/shared/names/kubernetes-names';
import { archiveObjectName } from '@longhorn-backup-guard/reconciler/archive/archive-names';
import { DEFAULT_RETRY_BACKOFF, retryDelay } from '@longhorn-backup-guard/reconciler/archive/archive-backoff';
import {
  completionPatch,
  failurePatch,
  retryPatch,
  startPatch,
  withdrawalPatch,
} from '@longhorn-backup-guard/reconciler/archive/archive-record-patches';
import { readArchiveRecord } from '@longhorn-backup-guard/shared/archive/archive-record';
import { archiveObjectKeys, ARCHIVE_WATCHES } from '@longhorn-backup-guard/reconciler/archive/archive-watches';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { P } from './archive-fixtures.ts';

/** Longhorn's util.ValidateName, which its Backup validator applies. */
const LONGHORN_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

test('object names: deterministic, distinct per job, PVC uid and attempt, and valid everywhere they go', () => {
  const name = archiveObjectName('backup-shop-db', 'uid-1', 1);
  assert.equal(name, archiveObjectName('backup-shop-db', 'uid-1', 1));
  assert.match(name, /^backup-shop-db-archive-[0-9a-f]{8}-1$/);
  const variants = [
    archiveObjectName('backup-shop-db', 'uid-2', 1),
    archiveObjectName('backup-shop-db', 'uid-1', 2),
    archiveObjectName('backup-shop-web', 'uid-1', 1),
  ];
  assert.equal(new Set([name, ...variants]).size, 4);
  fc.assert(
    fc.property(
      fc.stringMatching(/^backup-[a-z0-9][a-z0-9-]{0,31}[a-z0-9]$/),
      fc.uuid(),
      fc.integer({ min: 1, max: 1_000_000_000 }),
      (job, uid, attempt) => {
        const made = archiveObjectName(job.slice(0, 40), uid, attempt);
        assert.ok(made.length <= 63, made);
        assert.ok(isDnsLabel(made), `${made} is a DNS label (any Kubernetes object name)`);
        assert.ok(LONGHORN_NAME.test(made), `${made} passes Longhorn's name check`);
        assert.ok(isLabelValue(made), `${made} fits a label value`);
        assert.ok(made.endsWith(`-${attempt}`));
      },
    ),
  );
  assert.equal(
    archiveObjectName(`backup-${'n'.repeat(33)}`, 'u', 99_999).length,
    63,
    'a 40-character job with attempt 99999 still fits whole',
  );
  assert.throws(() => archiveObjectName('backup-a-b', 'u', 0), /positive integer/);
  assert.throws(() => archiveObjectName('backup-a-b', 'u', 1.5), /positive integer/);
});

test('retry backoff: 1 min, doubling, at most a day; never overflows', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => retryDelay(n, DEFAULT_RETRY_BACKOFF)),
    [60_000, 120_000, 240_000, 480_000, 960_000],
  );
  assert.equal(
    retryDelay(11, DEFAULT_RETRY_BACKOFF),
    1024 * 60_000,
    'after the 11th failure: 2^10 minutes, about 17 h',
  );
  assert.equal(retryDelay(12, DEFAULT_RETRY_BACKOFF), 24 * 3_600_000, '2^11 minutes is past a day: a day');
  assert.equal(retryDelay(5_000, DEFAULT_RETRY_BACKOFF), 24 * 3_600_000);
  assert.equal(retryDelay(0, DEFAULT_RETRY_BACKOFF), 60_000);
});

test('the record: written by merge patches, read back; damaged records are no records', () => {
  let job: RecurringJob = { metadata: { name: 'j', annotations: { other: 'kept' } } };
  const patch = (p: { metadata: { annotations: Record<string, string | null> } }) => {
    const next: Record<string, string> = { ...job.metadata.annotations };
    for (const [k, v] of Object.entries(p.metadata.annotations)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    job = { metadata: { ...job.metadata, annotations: next } };
  };
  assert.equal(readArchiveRecord(job, P), null);
  const t1 = new Date('2026-01-02T03:00:00Z');
  patch(startPatch(P, { volume: 'v', pvc: 'db', pvcUid: 'u', attempt: 1 }, t1));
  assert.deepEqual(readArchiveRecord(job, P), {
    volume: 'v',
    pvc: 'db',
    pvcUid: 'u',
    attempt: 1,
    attemptStartedAt: t1,
    firstAttempt: 1,
    snapshot: undefined,
    failedAt: undefined,
    lastError: undefined,
    result: undefined,
    withdrawn: false,
  });
  patch(failurePatch(P, new Date('2026-01-02T03:04:05.678Z'), 'x'.repeat(5000)));
  const failed = readArchiveRecord(job, P);
  assert.equal(failed?.failedAt?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(failed?.lastError?.length, 1024, "Longhorn's text is cut to 1 kB");
  const t2 = new Date('2026-01-02T04:00:00Z');
  patch(retryPatch(P, 2, t2, 'snap-1'));
  assert.equal(readArchiveRecord(job, P)?.attempt, 2);
  assert.equal(readArchiveRecord(job, P)?.snapshot, 'snap-1', 'a reused Snapshot is recorded');
  assert.equal(readArchiveRecord(job, P)?.firstAttempt, 1, 'the run still started at attempt 1');
  assert.deepEqual(readArchiveRecord(job, P)?.attemptStartedAt, t2);
  assert.equal(readArchiveRecord(job, P)?.failedAt, undefined);
  assert.ok(readArchiveRecord(job, P)?.lastError !== undefined, 'the reason of the retry stays');
  patch(completionPatch(P, { backup: 'b', url: 's3://b', completedAt: 't' }));
  assert.deepEqual(readArchiveRecord(job, P)?.result, { backup: 'b', url: 's3://b', completedAt: 't' });
  assert.equal(readArchiveRecord(job, P)?.lastError, undefined);
  patch(withdrawalPatch(P, new Date()));
  assert.equal(readArchiveRecord(job, P)?.withdrawn, true);
  patch(startPatch(P, { volume: 'v', pvc: 'db', pvcUid: 'u', attempt: 3 }, t2));
  assert.deepEqual(readArchiveRecord(job, P), {
    volume: 'v',
    pvc: 'db',
    pvcUid: 'u',
    attempt: 3,
    attemptStartedAt: t2,
    firstAttempt: 3,
    snapshot: undefined,
    failedAt: undefined,
    lastError: undefined,
    result: undefined,
    withdrawn: false,
  });
  assert.equal(job.metadata.annotations?.other, 'kept', 'annotations of others are left alone');
  for (const attempt of ['0', '-1', 'two', '1.5', '']) {
    const damaged: RecurringJob = {
      metadata: { annotations: { ...job.metadata.annotations, [`${P}/archive-attempt`]: attempt } },
    };
    assert.equal(readArchiveRecord(damaged, P), null, `attempt ${JSON.stringify(attempt)}`);
  }
});

test("watches: Snapshots and Backups by their links (full PVC name from the annotation); no Volume watch (the reconciler's Volume cache serves volumeNamed)", () => {
  assert.deepEqual(
    ARCHIVE_WATCHES.map((w) => w.plural),
    ['snapshots', 'backups'],
  );
  assert.deepEqual(
    ARCHIVE_WATCHES.map((w) => w.labelSelector?.(P)),
    [`${P}/archive-job`, `${P}/archive-job`],
    'only archive objects',
  );
  const links = {
    [`${P}/managed`]: 'true',
    [`${P}/archive-job`]: 'backup-shop-db',
    [`${P}/source-namespace`]: 'shop',
    [`${P}/source-pvc`]: 'db-cut',
  };
  assert.deepEqual(
    archiveObjectKeys({ metadata: { labels: links, annotations: { [`${P}/archive-pvc`]: 'db-full' } } }, defaultConfig),
    [{ namespace: 'shop', pvcName: 'db-full' }],
  );
  assert.deepEqual(archiveObjectKeys({ metadata: { labels: links } }, defaultConfig), [
    { namespace: 'shop', pvcName: 'db-cut' },
  ]);
  assert.deepEqual(
    archiveObjectKeys({ metadata: { labels: { ...links, [`${P}/managed`]: 'false' } } }, defaultConfig),
    [],
    'not ours',
  );
  assert.deepEqual(
    archiveObjectKeys({ metadata: { labels: { RecurringJob: 'backup-shop-db', longhornvolume: 'v' } } }, defaultConfig),
    [],
    "a recurring job's snapshot",
  );
  assert.deepEqual(archiveObjectKeys(null, defaultConfig), []);
  assert.deepEqual(archiveObjectKeys({ metadata: 'x' }, defaultConfig), []);
});
