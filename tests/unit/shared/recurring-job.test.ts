import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { BackupIntent } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { recurringJobProblems } from '@longhorn-backup-guard/shared/longhorn/recurring-job-admission';
import type { RecurringJob } from '@longhorn-backup-guard/shared/longhorn/types';
import { desiredRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import {
  diffRecurringJob,
  type RecurringJobMergePatch,
} from '@longhorn-backup-guard/shared/recurring-job/diff-recurring-job';
import {
  isJobOfPvc,
  isManagedJob,
  managedJobSource,
  sourcePvcLabelValue,
} from '@longhorn-backup-guard/shared/recurring-job/managed-job';
import { isLabelValue } from '@longhorn-backup-guard/shared/names/kubernetes-names';

const P = 'backup.vluwte.nl';

const intent: BackupIntent = {
  namespace: 'monitoring',
  pvcName: 'grafana',
  name: 'grafana',
  jobName: 'backup-monitoring-grafana',
  settings: { retain: 8, interval: 6, start: { hour: 21, minute: 0 }, fullBackupInterval: 4, concurrency: 1 },
  fromDefaults: [],
  archive: null,
  jobLabels: {},
  policy: null,
};

const desired = desiredRecurringJob(intent, defaultConfig);

/** RFC 7386 JSON merge patch, as the apiserver applies it. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

describe('desiredRecurringJob', () => {
  test('the job for an intent', () => {
    assert.deepEqual(desired, {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: {
        name: 'backup-monitoring-grafana',
        namespace: 'longhorn-system',
        labels: { [`${P}/managed`]: 'true', [`${P}/source-namespace`]: 'monitoring', [`${P}/source-pvc`]: 'grafana' },
      },
      spec: {
        name: 'backup-monitoring-grafana',
        task: 'backup',
        cron: '0 3,9,15,21 * * *',
        retain: 8,
        concurrency: 1,
        groups: [],
        labels: {},
        parameters: { 'full-backup-interval': '4' },
      },
    });
    assert.deepEqual(recurringJobProblems(desired, defaultConfig.maxRetention), []);
  });

  test('archive labels while the PVC requests an archive', () => {
    const jobOf = (archive: string) => {
      const labels = {
        [`${P}/enabled`]: 'true',
        [`${P}/name`]: 'grafana',
        [`${P}/archive`]: archive,
        [`${P}/archive-delete-after`]: '2026-07-11',
      };
      const parsed = parseIntent({ namespace: 'monitoring', name: 'grafana', labels }, defaultConfig);
      assert.equal(parsed.kind, 'opted-in');
      return parsed.kind === 'opted-in' ? desiredRecurringJob(parsed.intent, defaultConfig) : desired;
    };
    const job = jobOf('true');
    assert.equal(job.metadata.labels[`${P}/archive`], 'true');
    assert.equal(job.metadata.labels[`${P}/archive-delete-after`], '2026-07-11');
    const withdrawn = jobOf('false');
    assert.equal(withdrawn.metadata.labels[`${P}/archive`], undefined);
    assert.equal(withdrawn.metadata.labels[`${P}/archive-delete-after`], undefined);
  });

  test('the configured Longhorn namespace and prefix', () => {
    const job = desiredRecurringJob(intent, {
      ...defaultConfig,
      longhornNamespace: 'storage',
      labelPrefix: 'b.example',
    });
    assert.equal(job.metadata.namespace, 'storage');
    assert.equal(job.metadata.labels['b.example/managed'], 'true');
  });
});

describe('ownership', () => {
  test('isManagedJob only with <p>/managed=true', () => {
    assert.equal(isManagedJob(desired, defaultConfig), true);
    assert.equal(isManagedJob({ metadata: { name: 'c-1pcj37' } }, defaultConfig), false);
    assert.equal(
      isManagedJob({ metadata: { name: 'x', labels: { [`${P}/managed`]: 'false' } } }, defaultConfig),
      false,
    );
    assert.equal(isManagedJob(desired, { ...defaultConfig, labelPrefix: 'other.example' }), false);
  });

  test('the source PVC of a job', () => {
    assert.deepEqual(managedJobSource(desired, defaultConfig), { namespace: 'monitoring', pvcLabel: 'grafana' });
    assert.equal(managedJobSource({ metadata: { name: 'manual' } }, defaultConfig), null);
    assert.equal(isJobOfPvc(desired, 'monitoring', 'grafana', defaultConfig), true);
    assert.equal(isJobOfPvc(desired, 'monitoring', 'grafana-2', defaultConfig), false);
    assert.equal(isJobOfPvc(desired, 'other', 'grafana', defaultConfig), false);
  });

  test('PVC names longer than a label value are shortened with a hash, and still matched', () => {
    const long = `data-${'x'.repeat(70)}-0`;
    const value = sourcePvcLabelValue(long);
    assert.equal(value.length, 63);
    assert.ok(isLabelValue(value));
    assert.notEqual(value, sourcePvcLabelValue(`data-${'x'.repeat(70)}-1`));
    const job = desiredRecurringJob({ ...intent, pvcName: long }, defaultConfig);
    assert.equal(isJobOfPvc(job, 'monitoring', long, defaultConfig), true);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/), (name) =>
        assert.ok(isLabelValue(sourcePvcLabelValue(name))),
      ),
    );
  });
});

describe('diffRecurringJob', () => {
  test('a job equals itself', () => {
    assert.deepEqual(diffRecurringJob(structuredClone(desired), desired, defaultConfig), { inSync: true });
  });

  test("what Longhorn's mutator fills in counts as equal", () => {
    const asWritten: RecurringJob = {
      metadata: { ...desired.metadata, labels: { ...desired.metadata.labels } },
      spec: {
        task: 'backup',
        cron: desired.spec.cron,
        retain: 8,
        concurrency: 1,
        parameters: { 'full-backup-interval': '4' },
      },
    };
    assert.deepEqual(diffRecurringJob(asWritten, desired, defaultConfig), { inSync: true });
    const mutated: RecurringJob = { ...asWritten, spec: { ...asWritten.spec, name: '', groups: null, labels: null } };
    assert.deepEqual(diffRecurringJob(mutated, desired, defaultConfig), { inSync: true });
  });

  test('concurrency 0 is 10 and retain 0 is 1 in Longhorn: equal only to a desired 10 / 1', () => {
    const want10 = { ...desired, spec: { ...desired.spec, concurrency: 10, retain: 1 } };
    assert.deepEqual(
      diffRecurringJob(
        { metadata: desired.metadata, spec: { ...desired.spec, concurrency: 0, retain: 0 } },
        want10,
        defaultConfig,
      ),
      { inSync: true },
    );
    const diff = diffRecurringJob(
      { metadata: desired.metadata, spec: { ...desired.spec, concurrency: 0 } },
      desired,
      defaultConfig,
    );
    assert.deepEqual(diff.inSync ? null : diff.patch, { spec: { concurrency: 1 } });
  });

  test('labels and annotations of others are ignored; ours are put right', () => {
    const stored: RecurringJob = {
      metadata: {
        ...desired.metadata,
        labels: { ...desired.metadata.labels, team: 'x', [`${P}/source-pvc`]: 'old', [`${P}/archive`]: 'true' },
        annotations: { note: 'y' },
      },
      spec: desired.spec,
    };
    const diff = diffRecurringJob(stored, desired, defaultConfig);
    assert.ok(!diff.inSync);
    assert.deepEqual(diff.patch, { metadata: { labels: { [`${P}/source-pvc`]: 'grafana', [`${P}/archive`]: null } } });
    assert.deepEqual(diff.changes, [
      `metadata.labels[${P}/source-pvc]: "old" -> "grafana"`,
      `metadata.labels[${P}/archive]: "true" -> (none)`,
    ]);
  });

  test('spec changes: only the differing fields, maps key by key', () => {
    const stored: RecurringJob = {
      metadata: desired.metadata,
      spec: {
        ...desired.spec,
        cron: '0 21/6 * * *',
        retain: 14,
        groups: ['default'],
        labels: { a: 'b' },
        parameters: { 'full-backup-interval': '2', 'volume-backup-policy': 'always' },
      },
    };
    const diff = diffRecurringJob(stored, desired, defaultConfig);
    assert.ok(!diff.inSync);
    assert.deepEqual(diff.patch, {
      spec: {
        cron: '0 3,9,15,21 * * *',
        retain: 8,
        groups: [],
        labels: { a: null },
        parameters: { 'full-backup-interval': '4', 'volume-backup-policy': null },
      },
    });
    assert.equal(diff.changes[0], 'spec.cron: "0 21/6 * * *" -> "0 3,9,15,21 * * *"');
  });

  test('applying the patch brings any stored job in sync (property)', () => {
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const stringMap = fc.dictionary(
      fc.constantFrom('a', 'b', 'full-backup-interval', 'volume-backup-policy'),
      fc.constantFrom('1', '4', 'always'),
    );
    const stored = fc.record({
      metadata: fc.record({
        name: fc.constant(desired.metadata.name),
        labels: maybe(
          fc.dictionary(
            fc.constantFrom(`${P}/managed`, `${P}/source-pvc`, `${P}/archive`, 'team', `${P}/source-namespace`),
            fc.constantFrom('true', 'grafana', 'x'),
          ),
        ),
      }),
      spec: fc.record({
        name: maybe(fc.constantFrom('', desired.spec.name, 'other')),
        task: maybe(fc.constantFrom('backup' as const, 'snapshot' as const)),
        cron: maybe(fc.constantFrom(desired.spec.cron, '0 0 * * *')),
        retain: maybe(fc.integer({ min: 0, max: 20 })),
        concurrency: maybe(fc.integer({ min: 0, max: 12 })),
        groups: maybe(fc.option(fc.array(fc.constantFrom('default', 'daily')), { nil: null })),
        labels: maybe(fc.option(stringMap, { nil: null })),
        parameters: maybe(fc.option(stringMap, { nil: null })),
      }),
    });
    fc.assert(
      fc.property(stored, (job) => {
        const diff = diffRecurringJob(job, desired, defaultConfig);
        if (diff.inSync) return;
        const patched = applyMergePatch(
          JSON.parse(JSON.stringify(job)),
          diff.patch satisfies RecurringJobMergePatch,
        ) as RecurringJob;
        assert.deepEqual(diffRecurringJob(patched, desired, defaultConfig), { inSync: true });
        // Labels of others survive.
        assert.equal(patched.metadata.labels?.team, job.metadata.labels?.team);
      }),
    );
  });
});

describe("Longhorn's admission rules", () => {
  const problems = (spec: RecurringJob['spec'], name = 'backup-a-b') =>
    recurringJobProblems({ metadata: { name }, spec: { ...desired.spec, ...spec } }, 100);
  test('each rule', () => {
    assert.deepEqual(problems({}), []);
    assert.equal(problems({}, 'Backup').length, 1);
    assert.equal(problems({}, 'a').length, 1);
    assert.equal(problems({ name: 'x'.repeat(41) }).length, 1);
    assert.deepEqual(problems({ name: '' }), []);
    assert.deepEqual(problems({ cron: '30 0/4 * * ?' }), []); // the seed's expression happens to be valid 5-field cron
    assert.match(problems({ cron: '0 30 0/4 * * ?' })[0] ?? '', /Expected exactly 5 fields, found 6/); // Quartz is not
    assert.equal(problems({ retain: 101 }).length, 1);
    assert.equal(problems({ concurrency: -1 }).length, 1);
    assert.equal(problems({ groups: ['default', '-bad'] }).length, 1);
    assert.equal(problems({ labels: { 'a/b/c': 'x', ok: '' } }).length, 2);
    assert.equal(
      problems({ parameters: { 'full-backup-interval': 'x', 'volume-backup-policy': 'sometimes', other: '1' } }).length,
      3,
    );
    assert.deepEqual(problems({ parameters: { 'volume-backup-policy': 'if-not-present' } }), []);
    assert.equal(problems({ task: 'bogus' as 'backup' }).length, 1);
  });
});
