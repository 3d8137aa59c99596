// The policies' jobs and group labels, decided from snapshots (pure): created once while used,
// in sync afterwards (level-triggered, as a property over policy sets), kept when the policy is
// gone but used, retired after the grace period when unused; a removed used policy is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { RecurringJob, Volume } from '@longhorn-backup-guard/shared/longhorn/types';
import { desiredPolicyJob } from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import { decidePolicyJobs } from '@longhorn-backup-guard/reconciler/decide/decide-policy-jobs';
import { removedPoliciesInUse } from '@longhorn-backup-guard/reconciler/config/policy-removal';
import type { PolicySnapshot } from '@longhorn-backup-guard/reconciler/model/policy-snapshot';
import { arbitraryPolicies, withPolicies } from '../../fixtures/policy-config.ts';

const P = 'backup.vluwte.nl';
const now = new Date('2026-06-01T12:00:00Z');
const config = { ...withPolicies(), orphanGracePeriod: 3_600_000 };
const GROUP_KEY = 'recurring-job-group.longhorn.io/policy-standard';

function snapshot(
  jobs: RecurringJob[],
  users: Record<string, string[]>,
  groupVolumes: PolicySnapshot['groupVolumes'] = [],
  guard: GuardConfig = config,
): PolicySnapshot {
  const byName = new Map(jobs.map((job) => [job.metadata.name ?? '', job]));
  return {
    config: guard,
    now,
    policyJobs: jobs.filter((job) => job.metadata.labels?.[`${P}/source-policy`] !== undefined),
    jobNamed: (name) => byName.get(name),
    users: new Map(Object.entries(users)),
    groupVolumes,
  };
}

/** The jobs as Longhorn would hold them after the creates. */
function created(guard: GuardConfig, users: Record<string, string[]>): RecurringJob[] {
  return decidePolicyJobs(snapshot([], users, [], guard)).actions.flatMap((action) =>
    action.type === 'create' ? [action.body as RecurringJob] : [],
  );
}

test('a used policy gets one job per schedule, once; an unused one none', () => {
  const decision = decidePolicyJobs(snapshot([], { standard: ['a/x', 'a/y', 'b/z'] }));
  assert.deepEqual(
    decision.actions.map((action) => [action.type, action.type === 'event' ? '' : action.target.name]),
    [
      ['create', 'policy-standard-daily'],
      ['create', 'policy-standard-weekly'],
    ],
  );
  const jobs = created(config, { standard: ['a/x'] });
  assert.deepEqual(decidePolicyJobs(snapshot(jobs, { standard: ['a/x', 'a/y'] })).actions, []);
});

test('a policy change is a patch of the same job; a removed schedule deletes its job', () => {
  const jobs = created(config, { standard: ['a/x'] });
  const [standard, frequent] = config.policies;
  assert.ok(standard !== undefined && frequent !== undefined);
  const [daily] = standard.schedules;
  assert.ok(daily !== undefined);
  const changed: GuardConfig = {
    ...config,
    policies: [{ ...standard, schedules: [{ ...daily, retain: 14 }] }, frequent],
  };
  const actions = decidePolicyJobs(snapshot(jobs, { standard: ['a/x'] }, [], changed)).actions;
  assert.deepEqual(
    actions.map((action) => [action.type, action.type === 'event' ? '' : action.target.name]),
    [
      ['patch', 'policy-standard-daily'],
      ['delete', 'policy-standard-weekly'],
    ],
  );
  assert.deepEqual(actions[0]?.type === 'patch' && actions[0].patch, { spec: { retain: 14 } });
});

test('unused: marked, kept through the grace period, then deleted; used again: the mark goes', () => {
  const jobs = created(config, { standard: ['a/x'] });
  const marked = decidePolicyJobs(snapshot(jobs, {}));
  assert.deepEqual(
    marked.actions.map((action) => action.type),
    ['patch', 'patch'],
  );
  assert.equal(marked.requeueAfter, 3_600_000);
  const mark = (at: Date) =>
    jobs.map((job) => ({
      ...job,
      metadata: { ...job.metadata, annotations: { [`${P}/orphaned-since`]: at.toISOString() } },
    }));
  const waiting = decidePolicyJobs(snapshot(mark(new Date(now.getTime() - 600_000)), {}));
  assert.deepEqual(waiting.actions, []);
  assert.equal(waiting.requeueAfter, 3_000_000);
  const expired = decidePolicyJobs(snapshot(mark(new Date(now.getTime() - 7_200_000)), {}));
  assert.deepEqual(
    expired.actions.map((action) => action.type),
    ['delete', 'delete'],
  );
  const back = decidePolicyJobs(snapshot(mark(new Date(now.getTime() - 600_000)), { standard: ['a/x'] }));
  assert.deepEqual(
    back.actions.map((action) => action.type === 'patch' && action.patch),
    [
      { metadata: { annotations: { [`${P}/orphaned-since`]: null } } },
      { metadata: { annotations: { [`${P}/orphaned-since`]: null } } },
    ],
  );
});

test('a policy gone from the configuration but used: its jobs unchanged, a Warning on each', () => {
  const jobs = created(config, { standard: ['a/x'] });
  const without: GuardConfig = { ...config, policies: config.policies.filter((p) => p.name !== 'standard') };
  const actions = decidePolicyJobs(snapshot(jobs, { standard: ['a/x'] }, [], without)).actions;
  assert.deepEqual(
    actions.map((action) => action.type === 'event' && action.event.reason),
    ['PolicyRemovedWhileInUse', 'PolicyRemovedWhileInUse'],
  );
});

test('a job of the needed name that is not the policy is left alone, with a Warning', () => {
  const manual: RecurringJob = { metadata: { name: 'policy-standard-daily', labels: {} }, spec: {} };
  const actions = decidePolicyJobs(snapshot([manual], { standard: ['a/x'] })).actions;
  assert.deepEqual(
    actions.map((action) => [action.type, action.type === 'event' ? action.event.reason : action.target.name]),
    [
      ['event', 'PolicyJobNameConflict'],
      ['create', 'policy-standard-weekly'],
    ],
  );
});

test('a group label on a volume no PVC is bound to: marked, then removed after the grace period', () => {
  const volume = (annotations: Record<string, string> = {}): Volume => ({
    metadata: {
      name: 'v',
      labels: { [GROUP_KEY]: 'enabled', 'recurring-job-group.longhorn.io/default': 'enabled' },
      annotations,
    },
  });
  const jobs = created(config, { standard: ['a/x'] });
  const first = decidePolicyJobs(snapshot(jobs, { standard: ['a/x'] }, [{ volume: volume(), bound: false }]));
  assert.deepEqual(
    first.actions.map((action) => action.type === 'patch' && action.patch),
    [{ metadata: { annotations: { [`${P}/orphaned-since`]: now.toISOString().replace('.000Z', 'Z') } } }],
  );
  const old = volume({ [`${P}/orphaned-since`]: '2026-06-01T10:00:00Z' });
  const last = decidePolicyJobs(snapshot(jobs, { standard: ['a/x'] }, [{ volume: old, bound: false }]));
  assert.deepEqual(
    last.actions.map((action) => action.type === 'patch' && action.patch),
    [{ metadata: { labels: { [GROUP_KEY]: null }, annotations: { [`${P}/orphaned-since`]: null } } }],
  );
  const rebound = decidePolicyJobs(snapshot(jobs, { standard: ['a/x'] }, [{ volume: old, bound: true }]));
  assert.deepEqual(
    rebound.actions.map((action) => action.type === 'patch' && action.patch),
    [{ metadata: { annotations: { [`${P}/orphaned-since`]: null } } }],
  );
});

test('level-triggered (property): after the creates, any policy set with any users decides nothing', () => {
  fc.assert(
    fc.property(arbitraryPolicies, (policies) => {
      const guard: GuardConfig = { ...defaultConfig, policies };
      const users = Object.fromEntries(guard.policies.map((policy) => [policy.name, ['a/x']]));
      const jobs = created(guard, users);
      assert.equal(
        jobs.length,
        guard.policies.reduce((sum, policy) => sum + policy.schedules.length, 0),
      );
      for (const policy of guard.policies)
        for (const schedule of policy.schedules)
          assert.ok(
            jobs.some((job) => JSON.stringify(job) === JSON.stringify(desiredPolicyJob(policy, schedule, guard))),
          );
      assert.deepEqual(decidePolicyJobs(snapshot(jobs, users, [], guard)).actions, []);
    }),
  );
});

test('removing a used policy is refused, naming it and its PVCs; an unused one is fine', () => {
  const without: GuardConfig = { ...config, policies: config.policies.filter((p) => p.name !== 'standard') };
  assert.deepEqual(removedPoliciesInUse(without, config, new Map([['standard', ['b/y', 'a/x']]])), [
    `policies.standard is removed but 2 PVCs use it (a/x, b/y): move them to another policy (or remove their ${P}/policy label) first`,
  ]);
  assert.deepEqual(removedPoliciesInUse(without, config, new Map([['frequent', ['a/x']]])), []);
});
