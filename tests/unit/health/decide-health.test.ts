// The health part of a reconcile: reported every pass, recorded on the job (a policy PVC's on its Volume)
// and announced by an Event on a state change only; never a write per backup.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import type { Action } from '@longhorn-backup-guard/reconciler/model/actions';
import { decideHealth } from '@longhorn-backup-guard/reconciler/health/decide-health';
import { backupRecordOf, StringPool, type BackupRecord } from '@longhorn-backup-guard/reconciler/health/backup-record';
import { job, LONGHORN_NS, managedLabels, P, pvc, snapshotOf } from '../reconciler/snapshot-fixtures.ts';
import { withPolicies } from '../../fixtures/policy-config.ts';

const JOB = 'backup-a-data';
const claim = pvc('a', 'data', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'data' }, { volumeName: 'pvc-1' });
const attached: Volume = { metadata: { name: 'pvc-1', namespace: LONGHORN_NS }, status: { state: 'attached' } };

function jobWith(labels: Record<string, string> = {}, annotations?: Record<string, string>): RecurringJob {
  const made = job(JOB, { ...managedLabels('a', 'data'), ...labels }, annotations === undefined ? {} : { annotations });
  return { ...made, metadata: { ...made.metadata, creationTimestamp: '2026-11-23T00:00:00Z' } };
}

function record(name: string, state: 'Completed' | 'Error', at: string, error?: string): BackupRecord {
  return backupRecordOf(
    {
      metadata: { name, namespace: LONGHORN_NS, creationTimestamp: at },
      spec: { labels: { RecurringJob: JOB } },
      status: { state, backupCreatedAt: at, ...(error === undefined ? {} : { error }) },
    },
    P,
    new StringPool(),
  );
}

/** `volume` null: the PVC's Volume does not exist (yet). */
function decideAt(
  now: string,
  theJob: RecurringJob,
  backups: readonly BackupRecord[],
  volume: Volume | null = attached,
) {
  const snapshot = snapshotOf('a', 'data', {
    pvcs: [claim],
    volumes: volume === null ? [] : [volume],
    jobs: [theJob],
    now: new Date(now),
  });
  return decideHealth(snapshot, (name) => (name === JOB ? backups : []));
}

function recordedFrom(action: Action | undefined): RecurringJob {
  assert.ok(action?.type === 'patch');
  const { labels, annotations } = (
    action.patch as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } }
  ).metadata;
  return jobWith(labels, annotations);
}

describe('decideHealth', () => {
  test('first pass records healthy without an Event; the next pass writes nothing and comes back at the deadline', () => {
    const backups = [record('b1', 'Completed', '2026-11-23T00:31:00Z')];
    const first = decideAt('2026-11-23T01:00:00Z', jobWith(), backups);
    assert.equal(first.actions.length, 1);
    assert.equal(first.actions[0]?.type === 'patch' ? first.actions[0].event : 'x', undefined);
    const recorded = recordedFrom(first.actions[0]);
    assert.equal(recorded.metadata.labels?.[`${P}/health`], 'healthy');
    const summary = parseBackupHealthSummary(recorded.metadata.annotations?.[`${P}/health-summary`]);
    assert.equal(summary?.lastSuccessBackup, 'b1');
    assert.equal(summary?.since, '2026-11-23T01:00:00Z');

    const again = decideAt('2026-11-23T02:00:00Z', recorded, [
      ...backups,
      record('b2', 'Completed', '2026-11-23T01:59:00Z'),
    ]);
    assert.deepEqual(again.actions, []);
    assert.deepEqual(again.report.health, [
      { job: JOB, state: 'healthy', completedCount: 2, lastSuccessAt: Date.parse('2026-11-23T01:59:00Z') / 1000 },
    ]);
    // Runs after 01:59 are 04:30 and 08:30; stale from 09:30 (slack 1 h) - plus a second's margin.
    assert.equal(again.requeueAfter, Date.parse('2026-11-23T09:30:00Z') - Date.parse('2026-11-23T02:00:00Z') + 1000);
  });

  test('healthy -> stale -> healthy: one patch and one Event per transition', () => {
    const backups = [record('b1', 'Completed', '2026-11-23T00:31:00Z')];
    const healthy = recordedFrom(decideAt('2026-11-23T01:00:00Z', jobWith(), backups).actions[0]);
    const staleDecision = decideAt('2026-11-23T09:30:00Z', healthy, backups);
    const staleAction = staleDecision.actions[0];
    assert.ok(staleAction?.type === 'patch');
    assert.equal(staleAction.event?.reason, 'BackupStale');
    assert.equal(staleAction.event?.type, 'Warning');
    assert.match(
      staleAction.event?.message ?? '',
      /backups of RecurringJob backup-a-data are stale: no completed backup since b1 of 2026-11-23T00:31:00Z/,
    );
    const stale = recordedFrom(staleAction);
    assert.deepEqual(decideAt('2026-11-23T10:30:00Z', stale, backups).actions, []);
    assert.equal(decideAt('2026-11-23T10:30:00Z', stale, backups).report.health[0]?.state, 'stale');

    const recovered = decideAt('2026-11-23T12:40:00Z', stale, [
      ...backups,
      record('b2', 'Completed', '2026-11-23T12:35:00Z'),
    ]).actions[0];
    assert.ok(recovered?.type === 'patch');
    assert.equal(recovered.event?.reason, 'BackupHealthy');
    assert.match(recovered.event?.message ?? '', /healthy again: Backup b2 completed at 2026-11-23T12:35:00Z/);
  });

  test("failing carries Longhorn's error text in the Event and the summary", () => {
    const backups = [
      record('b1', 'Error', '2026-11-23T00:31:00Z', 'error'),
      record('b2', 'Error', '2026-11-23T04:31:00Z', 'failed to get backup target: connection refused'),
    ];
    const action = decideAt(
      '2026-11-23T05:00:00Z',
      jobWith(
        { [`${P}/health`]: 'healthy' },
        { [`${P}/health-summary`]: '{"state":"healthy","since":"2026-11-23T00:00:00Z","reason":"x"}' },
      ),
      backups,
    ).actions[0];
    assert.ok(action?.type === 'patch');
    assert.equal(action.event?.reason, 'BackupFailing');
    assert.match(action.event?.message ?? '', /failed to get backup target: connection refused/);
    assert.equal(
      parseBackupHealthSummary(recordedFrom(action).metadata.annotations?.[`${P}/health-summary`])?.lastError,
      'failed to get backup target: connection refused',
    );
  });

  test('a detached volume: recorded as detached with a Normal Event; no deadline to come back for', () => {
    const detached: Volume = { ...attached, status: { state: 'detached' } };
    const decision = decideAt(
      '2026-11-25T00:00:00Z',
      jobWith(
        { [`${P}/health`]: 'healthy' },
        { [`${P}/health-summary`]: '{"state":"healthy","since":"2026-11-23T00:00:00Z","reason":"x"}' },
      ),
      [],
      detached,
    );
    const action = decision.actions[0];
    assert.ok(action?.type === 'patch');
    assert.equal(action.event?.reason, 'BackupNotRunning');
    assert.equal(action.event?.type, 'Normal');
    assert.equal(decision.requeueAfter, undefined);
  });

  test("nothing for a PVC without its job, an opted-out PVC, or a job that is not the PVC's", () => {
    const snapshot = snapshotOf('a', 'data', { pvcs: [claim], volumes: [attached], jobs: [] });
    assert.deepEqual(decideHealth(snapshot, () => []).actions, []);
    assert.deepEqual(decideHealth(snapshot, () => []).report.health, []);
    const optedOut = pvc('a', 'data', { [`${P}/enabled`]: 'false' }, { volumeName: 'pvc-1' });
    assert.deepEqual(
      decideHealth(snapshotOf('a', 'data', { pvcs: [optedOut], volumes: [attached], jobs: [jobWith()] }), () => [])
        .report.health,
      [],
    );
    const foreign = job(JOB, managedLabels('b', 'other'));
    assert.deepEqual(
      decideHealth(snapshotOf('a', 'data', { pvcs: [claim], volumes: [attached], jobs: [foreign] }), () => []).report
        .health,
      [],
    );
  });
});

describe('backupRecordOf', () => {
  test('keeps only what health reads; the job from spec or status labels; the archive job; shared strings', () => {
    const pool = new StringPool();
    const full = {
      metadata: {
        name: 'b1',
        namespace: LONGHORN_NS,
        resourceVersion: '9',
        creationTimestamp: '2026-11-23T00:30:00Z',
        labels: { 'backup-volume': 'pvc-1' },
        managedFields: [{ manager: 'x' }],
      },
      spec: { snapshotName: 's1', labels: { RecurringJob: JOB } },
      status: {
        state: 'Completed' as const,
        backupCreatedAt: '2026-11-23T00:31:00Z',
        url: 's3://b1',
        progress: 100,
        messages: {},
      },
    };
    assert.deepEqual(backupRecordOf(full, P, pool), {
      metadata: { name: 'b1', namespace: LONGHORN_NS, resourceVersion: '9' },
      state: 'Completed',
      job: JOB,
      volume: 'pvc-1',
      at: Date.parse('2026-11-23T00:31:00Z'),
      url: 's3://b1',
    });
    const synced = backupRecordOf(
      {
        metadata: { name: 'b2', namespace: LONGHORN_NS },
        status: { state: 'Completed', labels: { RecurringJob: JOB }, volumeName: 'pvc-1' },
      },
      P,
      pool,
    );
    assert.equal(synced.job, JOB);
    assert.equal(synced.volume, 'pvc-1');
    const archive = backupRecordOf(
      {
        metadata: { name: 'b3', namespace: LONGHORN_NS, labels: { [`${P}/archive-job`]: JOB } },
        status: { state: 'Error', error: 'x'.repeat(5000) },
      },
      P,
      pool,
    );
    assert.equal(archive.archiveJob, JOB);
    assert.equal(archive.job, undefined);
    assert.equal(archive.error?.length, 1024);
  });
});

describe('decideHealth properties', () => {
  const HOUR = 3_600_000;
  const BASE = Date.parse('2026-11-23T00:00:00Z');
  const world = fc.record({
    backups: fc.array(
      fc.record({
        state: fc.constantFrom<'Completed' | 'Error'>('Completed', 'Error'),
        at: fc.integer({ min: BASE, max: BASE + 48 * HOUR }),
      }),
      { maxLength: 8 },
    ),
    now: fc.integer({ min: BASE, max: BASE + 72 * HOUR }),
    later: fc.integer({ min: 0, max: 30 * 60_000 }),
    volumeState: fc.constantFrom('attached', 'detached', 'absent'),
  });

  test('level-triggered: a second pass on the recorded state writes nothing, and a write always carries a state change or a missing summary', () => {
    fc.assert(
      fc.property(world, ({ backups, now, later, volumeState }) => {
        const records = backups.map((b, i) =>
          record(`b${i}`, b.state, new Date(b.at).toISOString(), b.state === 'Error' ? 'boom' : undefined),
        );
        const volume = volumeState === 'absent' ? null : { ...attached, status: { state: volumeState } };
        const first = decideAt(new Date(now).toISOString(), jobWith(), records, volume);
        if (volumeState === 'absent') {
          assert.deepEqual(first.actions, [], 'a PVC not bound yet: nothing to record');
          return;
        }
        assert.equal(first.actions.length, 1, 'nothing recorded yet: the first pass records');
        const recorded = recordedFrom(first.actions[0]);
        // Moments later (within the deadline, if any): nothing to write.
        const due = first.requeueAfter ?? Infinity;
        const again = decideAt(
          new Date(now + Math.min(later, Math.max(0, due - 2_000))).toISOString(),
          recorded,
          records,
          volume,
        );
        assert.deepEqual(again.actions, []);
        assert.equal(again.report.health[0]?.state, first.report.health[0]?.state);
      }),
    );
  });
});

describe('a PVC on a policy: judged by its most frequent backup schedule on its own volume, recorded on the Volume', () => {
  const config = withPolicies();
  const daily = 'policy-standard-daily';
  const policyLabels = { [`${P}/enabled`]: 'true', [`${P}/name`]: 'data', [`${P}/policy`]: 'standard' };
  const onPolicy = pvc('a', 'data', policyLabels, { volumeName: 'pvc-1' });
  const policyJob = (name: string): RecurringJob => {
    const made = job(name, { [`${P}/managed`]: 'true', [`${P}/source-policy`]: 'standard' });
    return {
      ...made,
      metadata: { ...made.metadata, creationTimestamp: '2026-11-20T00:00:00Z' },
      spec: { ...made.spec, cron: '0 2 * * *' },
    };
  };
  const backupOf = (name: string, volume: string, at: string, error?: string): BackupRecord =>
    backupRecordOf(
      {
        metadata: { name, namespace: LONGHORN_NS, creationTimestamp: at, labels: { 'backup-volume': volume } },
        spec: { labels: { RecurringJob: daily } },
        status: {
          state: error === undefined ? 'Completed' : 'Error',
          backupCreatedAt: at,
          volumeName: volume,
          ...(error === undefined ? {} : { error }),
        },
      },
      P,
      new StringPool(),
    );
  /** The Volume carrying what an earlier pass recorded (the patch's labels and annotations). */
  const volumeAfter = (action: Action | undefined): Volume => {
    assert.ok(action?.type === 'patch');
    const { labels, annotations } = (
      action.patch as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } }
    ).metadata;
    return { ...attached, metadata: { ...attached.metadata, labels, annotations } };
  };
  const decide = (now: string, backups: readonly BackupRecord[], volume: Volume = attached, claim = onPolicy) =>
    decideHealth(
      snapshotOf('a', 'data', {
        config,
        pvcs: [claim],
        volumes: [volume],
        jobs: [policyJob(daily), policyJob('policy-standard-weekly')],
        now: new Date(now),
      }),
      (name) => (name === daily ? backups : []),
    );

  test("healthy while its volume has a recent daily backup (recorded once, no Event); another volume's do not count", () => {
    const mine = [backupOf('b1', 'pvc-1', '2026-11-23T02:01:00Z')];
    const first = decide('2026-11-23T12:00:00Z', mine);
    assert.equal(first.actions.length, 1);
    const [patch] = first.actions;
    assert.ok(patch?.type === 'patch');
    assert.deepEqual(patch.target, { resource: 'volumes', namespace: LONGHORN_NS, name: 'pvc-1' });
    assert.equal(patch.event, undefined);
    const recorded = volumeAfter(patch);
    assert.equal(recorded.metadata.labels?.[`${P}/health`], 'healthy');
    assert.equal(
      parseBackupHealthSummary(recorded.metadata.annotations?.[`${P}/health-summary`])?.lastSuccessBackup,
      'b1',
    );
    assert.deepEqual(
      first.report.health.map((h) => [h.job, h.state]),
      [[daily, 'healthy']],
    );
    assert.ok(first.requeueAfter !== undefined);
    // A steady state writes nothing.
    assert.deepEqual(decide('2026-11-23T13:00:00Z', mine, recorded).actions, []);
    const others = [backupOf('b2', 'pvc-9', '2026-11-23T02:01:00Z')];
    // The recorded healthy restarts the window: two daily runs plus slack after it.
    assert.deepEqual(decide('2026-11-25T02:30:00Z', others, recorded).actions, []);
    const stale = decide('2026-11-25T04:00:00Z', others, recorded);
    assert.deepEqual(
      stale.report.health.map((h) => h.state),
      ['stale'],
    );
    const [toStale] = stale.actions;
    assert.ok(toStale?.type === 'patch');
    assert.equal(toStale.event?.reason, 'BackupStale');
    assert.equal(toStale.event?.involvedObject.kind, 'PersistentVolumeClaim');
    assert.match(toStale.event?.message ?? '', new RegExp(`RecurringJob ${daily} are stale`));
  });

  test("failing with Longhorn's error text, then healthy again: one Event per transition on the PVC", () => {
    const good = backupOf('b1', 'pvc-1', '2026-11-21T02:01:00Z');
    const fine = volumeAfter(decide('2026-11-21T03:00:00Z', [good]).actions[0]);
    const failed = [
      good,
      backupOf('b2', 'pvc-1', '2026-11-22T02:01:00Z', 'cannot reach the backup target'),
      backupOf('b3', 'pvc-1', '2026-11-23T02:01:00Z', 'cannot reach the backup target'),
    ];
    const failing = decide('2026-11-23T03:00:00Z', failed, fine);
    const [toFailing] = failing.actions;
    assert.ok(toFailing?.type === 'patch');
    assert.equal(toFailing.event?.reason, 'BackupFailing');
    assert.equal(toFailing.event?.type, 'Warning');
    assert.match(toFailing.event?.message ?? '', /b3: cannot reach the backup target/);
    const failingVolume = volumeAfter(toFailing);
    assert.equal(
      parseBackupHealthSummary(failingVolume.metadata.annotations?.[`${P}/health-summary`])?.lastError,
      'cannot reach the backup target',
    );
    const recovered = [...failed, backupOf('b4', 'pvc-1', '2026-11-24T02:01:00Z')];
    const [toHealthy] = decide('2026-11-24T03:00:00Z', recovered, failingVolume).actions;
    assert.ok(toHealthy?.type === 'patch');
    assert.equal(toHealthy.event?.reason, 'BackupHealthy');
    assert.match(toHealthy.event?.message ?? '', /Backup b4 completed/);
  });

  test('off the policy, its Volume loses the record (and a Volume without one is not written)', () => {
    const mine = [backupOf('b1', 'pvc-1', '2026-11-23T02:01:00Z')];
    const recorded = volumeAfter(decide('2026-11-23T12:00:00Z', mine).actions[0]);
    const optedOut = pvc('a', 'data', { [`${P}/enabled`]: 'false' }, { volumeName: 'pvc-1' });
    const [forget] = decide('2026-11-23T12:00:00Z', mine, recorded, optedOut).actions;
    assert.ok(forget?.type === 'patch');
    assert.deepEqual(forget.target, { resource: 'volumes', namespace: LONGHORN_NS, name: 'pvc-1' });
    assert.deepEqual(forget.patch, {
      metadata: { labels: { [`${P}/health`]: null }, annotations: { [`${P}/health-summary`]: null } },
    });
    assert.deepEqual(decide('2026-11-23T12:00:00Z', mine, attached, optedOut).actions, []);
    // Moved to a policy of snapshots only: no backup health to record, so none left behind.
    const snapshotsOnly = {
      ...config,
      policies: config.policies.map((p) => ({ ...p, schedules: p.schedules.filter((s) => s.task === 'snapshot') })),
    };
    const moved = decideHealth(
      snapshotOf('a', 'data', {
        config: snapshotsOnly,
        pvcs: [onPolicy],
        volumes: [recorded],
        jobs: [],
        now: new Date('2026-11-23T12:00:00Z'),
      }),
      () => [],
    );
    assert.deepEqual(
      moved.actions.map((action) => action.type === 'patch' && action.patch),
      [forget.patch],
    );
  });
});
