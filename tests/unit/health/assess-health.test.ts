// Backup health as a plain function: the states, their precedence, the stale window from the
// schedule (counted from the job's creation for a new PVC), failing after N errored runs; then
// properties over random schedules, clocks and Backups.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BackupHealthSummary } from '@longhorn-backup-guard/shared/health/health-summary';
import type { BackupState } from '@longhorn-backup-guard/shared/longhorn/types';
import { assessHealth, type HealthInputs } from '@longhorn-backup-guard/reconciler/health/assess-health';
import type { BackupRecord } from '@longhorn-backup-guard/reconciler/health/backup-record';
import { staleWindow } from '@longhorn-backup-guard/reconciler/health/stale-deadline';

const HOUR = 3_600_000;
const CRON = '30 0,4,8,12,16,20 * * *'; // the default schedule: every 4 h from 00:30
const CREATED = new Date('2026-11-23T00:00:00Z');

function backup(
  name: string,
  state: BackupState,
  at: string | number,
  extra: Partial<BackupRecord> = {},
): BackupRecord {
  return {
    metadata: { name, namespace: 'longhorn-system' },
    job: 'backup-a-data',
    state,
    at: typeof at === 'number' ? at : Date.parse(at),
    ...extra,
  };
}

function inputs(overrides: Partial<HealthInputs> = {}): HealthInputs {
  return {
    jobName: 'backup-a-data',
    cron: CRON,
    retain: 8,
    jobCreatedAt: CREATED,
    backups: [],
    volume: { name: 'pvc-1', state: 'attached' },
    recorded: undefined,
    now: new Date('2026-11-23T01:00:00Z'),
    slackMs: HOUR,
    failingAfter: 2,
    ...overrides,
  };
}

const at = (text: string) => new Date(text);

describe('assessHealth', () => {
  test('a new job is healthy until two scheduled runs plus the slack passed without a completed backup', () => {
    // Runs after creation: 00:30 and 04:30; slack 1 h: stale from 05:30.
    const early = assessHealth(inputs({ now: at('2026-11-23T05:29:59Z') }));
    assert.equal(early.state, 'healthy');
    assert.deepEqual(early.staleAt, at('2026-11-23T05:30:00Z'));
    const late = assessHealth(inputs({ now: at('2026-11-23T05:30:00Z') }));
    assert.equal(late.state, 'stale');
    assert.match(
      late.reason,
      /no completed backup since 2026-11-23T00:00:00Z: the runs scheduled at 2026-11-23T00:30:00Z and 2026-11-23T04:30:00Z produced none/,
    );
    assert.equal(late.staleAt, undefined);
  });

  test('backups completing on schedule stay healthy; the window counts from the last completed one', () => {
    const backups = [
      backup('b1', 'Completed', '2026-11-23T00:31:00Z'),
      backup('b2', 'Completed', '2026-11-23T04:31:00Z', { url: 's3://b2' }),
    ];
    const health = assessHealth(inputs({ backups, now: at('2026-11-23T09:29:00Z') }));
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.lastSuccess, { name: 'b2', at: Date.parse('2026-11-23T04:31:00Z'), url: 's3://b2' });
    assert.equal(health.completedCount, 2);
    // After b2: runs 08:30 and 12:30, stale from 13:30.
    assert.deepEqual(health.staleAt, at('2026-11-23T13:30:00Z'));
    assert.equal(assessHealth(inputs({ backups, now: at('2026-11-23T13:30:00Z') })).state, 'stale');
  });

  test('a new completed backup makes a stale job healthy again', () => {
    const stale = [backup('b1', 'Completed', '2026-11-23T00:31:00Z')];
    const now = at('2026-11-23T12:00:00Z');
    assert.equal(assessHealth(inputs({ backups: stale, now })).state, 'stale');
    assert.equal(
      assessHealth(inputs({ backups: [...stale, backup('b2', 'Completed', '2026-11-23T11:59:00Z')], now })).state,
      'healthy',
    );
  });

  test("failing after the last N finished runs errored, with Longhorn's text; one error alone is not failing", () => {
    const one = [
      backup('b1', 'Completed', '2026-11-23T00:31:00Z'),
      backup('b2', 'Error', '2026-11-23T04:31:00Z', { error: 'backup target unavailable' }),
    ];
    assert.equal(assessHealth(inputs({ backups: one, now: at('2026-11-23T05:00:00Z') })).state, 'healthy');
    const two = [
      ...one,
      backup('b3', 'Error', '2026-11-23T08:31:00Z', { error: 'NFS mount failed: permission denied' }),
    ];
    const health = assessHealth(inputs({ backups: two, now: at('2026-11-23T09:00:00Z') }));
    assert.equal(health.state, 'failing');
    assert.match(
      health.reason,
      /the last 2 backups of RecurringJob backup-a-data failed; the newest, b3: NFS mount failed: permission denied/,
    );
    assert.deepEqual(health.lastFailure, {
      name: 'b3',
      at: Date.parse('2026-11-23T08:31:00Z'),
      error: 'NFS mount failed: permission denied',
    });
    // A run in progress does not end it; a completed one does.
    const running = [...two, backup('b4', 'InProgress', '2026-11-23T12:30:00Z')];
    const stillFailing = assessHealth(inputs({ backups: running, now: at('2026-11-23T12:31:00Z') }));
    assert.equal(stillFailing.state, 'failing');
    assert.equal(stillFailing.inProgress, true);
    assert.equal(
      assessHealth(
        inputs({
          backups: [...two, backup('b4', 'Completed', '2026-11-23T12:31:00Z')],
          now: at('2026-11-23T12:32:00Z'),
        }),
      ).state,
      'healthy',
    );
  });

  test('Unknown counts as failed; failingAfter 1 fails on the first error', () => {
    const health = assessHealth(
      inputs({ backups: [backup('b1', 'Unknown', '2026-11-23T00:31:00Z')], failingAfter: 1 }),
    );
    assert.equal(health.state, 'failing');
    assert.match(
      health.reason,
      /the last backup of RecurringJob backup-a-data failed; the newest, b1: state Unknown without an error text/,
    );
  });

  test('a detached volume is not expected to run: detached, never stale or failing', () => {
    const errors = [backup('b1', 'Error', '2026-11-20T00:31:00Z'), backup('b2', 'Error', '2026-11-20T04:31:00Z')];
    const health = assessHealth(
      inputs({ backups: errors, volume: { name: 'pvc-1', state: 'detached' }, now: at('2026-11-29T00:00:00Z') }),
    );
    assert.equal(health.state, 'detached');
    assert.match(health.reason, /Longhorn volume pvc-1 is detached/);
  });

  test('no volume yet (PVC not bound) is unknown', () => {
    assert.equal(assessHealth(inputs({ volume: undefined, now: at('2026-11-29T00:00:00Z') })).state, 'unknown');
  });

  test('after detached, a re-attached volume gets a fresh window before it is called stale', () => {
    const old = [backup('b1', 'Completed', '2026-11-20T00:31:00Z')];
    const recorded: BackupHealthSummary = { state: 'detached', since: '2026-11-21T00:00:00Z', reason: 'detached' };
    const now = at('2026-11-29T10:00:00Z');
    const resumed = assessHealth(inputs({ backups: old, recorded, now }));
    assert.equal(resumed.state, 'healthy');
    // Recorded healthy since the re-attach: the window runs from then (runs 12:30 and 16:30 + 1 h).
    const healthySince: BackupHealthSummary = { state: 'healthy', since: '2026-11-29T10:00:00Z', reason: 'attached' };
    assert.equal(
      assessHealth(inputs({ backups: old, recorded: healthySince, now: at('2026-11-29T17:29:00Z') })).state,
      'healthy',
    );
    assert.equal(
      assessHealth(inputs({ backups: old, recorded: healthySince, now: at('2026-11-29T17:30:00Z') })).state,
      'stale',
    );
    // Without that record, the old backup alone makes it stale at once.
    assert.equal(assessHealth(inputs({ backups: old, now })).state, 'stale');
  });

  test('Deleting Backups are ignored; counts are of Completed ones', () => {
    const backups = [
      backup('b1', 'Completed', '2026-11-23T00:31:00Z'),
      backup('b2', 'Deleting', '2026-11-23T04:31:00Z'),
      backup('b3', 'Pending', '2026-11-23T04:30:00Z'),
    ];
    const health = assessHealth(inputs({ backups, now: at('2026-11-23T04:35:00Z') }));
    assert.equal(health.completedCount, 1);
    assert.equal(health.inProgress, true);
  });
});

// ---- properties ----

const intervals = [1, 2, 3, 4, 6, 8, 12, 24] as const;
const schedule = fc
  .record({
    interval: fc.constantFrom(...intervals),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
  })
  .map(({ interval, hour, minute }) => {
    const hours = Array.from({ length: 24 / interval }, (_, i) => (hour + i * interval) % 24).sort((a, b) => a - b);
    return { interval, cron: `${minute} ${interval === 1 ? '*' : hours.join(',')} * * *` };
  });
const BASE = Date.parse('2026-11-01T00:00:00Z');
const time = fc.integer({ min: BASE, max: BASE + 20 * 24 * HOUR });
const state = fc.constantFrom<BackupState>('Completed', 'Error', 'Unknown', 'InProgress', 'Pending', '', 'Deleting');
const backups = fc
  .array(fc.record({ state, at: time }), { maxLength: 12 })
  .map((list) => list.map((b, i) => backup(`b${i}`, b.state, b.at)));
const world = fc
  .record({
    schedule,
    backups,
    created: time,
    now: time,
    slackMs: fc.integer({ min: 1000, max: 6 * HOUR }),
    failingAfter: fc.integer({ min: 1, max: 4 }),
  })
  .filter(({ created, now }) => created <= now);
type World = {
  schedule: { cron: string };
  backups: BackupRecord[];
  created: number;
  now: number;
  slackMs: number;
  failingAfter: number;
};
const inputsOf = (w: World): HealthInputs =>
  inputs({
    cron: w.schedule.cron,
    backups: w.backups,
    jobCreatedAt: new Date(w.created),
    now: new Date(w.now),
    slackMs: w.slackMs,
    failingAfter: w.failingAfter,
  });

describe('assessHealth properties', () => {
  test('the order of the Backups does not matter', () => {
    fc.assert(
      fc.property(world, fc.nat(), (w, seed) => {
        const shuffled = [...w.backups].sort(
          (a, b) =>
            ((a.metadata.name.length * 31 + seed) % 7) - ((b.metadata.name.length * 31 + seed) % 7) ||
            (a.metadata.name < b.metadata.name ? 1 : -1),
        );
        assert.deepEqual(assessHealth({ ...inputsOf(w), backups: shuffled }), assessHealth(inputsOf(w)));
      }),
    );
  });

  test('no volume is unknown and a detached volume is detached, whatever the Backups', () => {
    fc.assert(
      fc.property(world, (w) => {
        assert.equal(assessHealth({ ...inputsOf(w), volume: undefined }).state, 'unknown');
        assert.equal(assessHealth({ ...inputsOf(w), volume: { name: 'v', state: 'detached' } }).state, 'detached');
      }),
    );
  });

  test('failing exactly when the newest failingAfter finished runs all failed', () => {
    fc.assert(
      fc.property(world, (w) => {
        const finished = w.backups
          .filter((b) => ['Completed', 'Error', 'Unknown'].includes(b.state))
          .sort((a, b) => (b.at ?? 0) - (a.at ?? 0) || (a.metadata.name < b.metadata.name ? 1 : -1))
          .slice(0, w.failingAfter);
        const expected = finished.length === w.failingAfter && finished.every((b) => b.state !== 'Completed');
        assert.equal(assessHealth(inputsOf(w)).state === 'failing', expected);
      }),
    );
  });

  test('otherwise stale exactly when two scheduled runs plus the slack passed since the last completion (or creation)', () => {
    fc.assert(
      fc.property(world, (w) => {
        const health = assessHealth(inputsOf(w));
        if (health.state === 'failing') return;
        const completed = w.backups.filter((b) => b.state === 'Completed').map((b) => b.at ?? 0);
        const reference = Math.max(w.created, ...completed);
        const window = staleWindow(w.schedule.cron, new Date(reference), w.slackMs);
        assert.ok(window !== undefined);
        assert.equal(health.state, w.now >= window.deadline.getTime() ? 'stale' : 'healthy');
        // The deadline is never sooner than two intervals after the reference, nor later than three (plus slack).
        const span = window.deadline.getTime() - w.slackMs - reference;
        assert.ok(span > w.schedule.interval * HOUR && span <= 2 * w.schedule.interval * HOUR + 1000, `${span}`);
      }),
    );
  });

  test('a backup completed just now always makes an attached job healthy', () => {
    fc.assert(
      fc.property(world, (w) => {
        const fresh = backup('fresh', 'Completed', w.now);
        assert.equal(
          assessHealth({ ...inputsOf(w), backups: [...w.backups.filter((b) => (b.at ?? 0) < w.now), fresh] }).state,
          'healthy',
        );
      }),
    );
  });
});
