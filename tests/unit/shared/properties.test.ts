// Whatever labels a PVC carries: parsing never throws, and an accepted intent always yields a
// RecurringJob Longhorn accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';
import { pvcLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { recurringJobProblems } from '@longhorn-backup-guard/shared/longhorn/recurring-job-admission';
import { isLabelValue } from '@longhorn-backup-guard/shared/names/kubernetes-names';
import { desiredRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import { diffRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/diff-recurring-job';

const keys = pvcLabelKeys(defaultConfig.labelPrefix);
const namespace = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/);
const pvcName = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,80}[a-z0-9])?$/);

/** Values near and far from valid for each label. */
const labelValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'true',
    'false',
    '0',
    '1',
    '4',
    '6',
    '08',
    '24',
    '100',
    '101',
    '0000',
    '2359',
    '2400',
    '0030',
    '2028-02-29',
    '2027-02-29',
  ),
  fc.nat({ max: 3000 }).map(String),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/),
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
);
const labels = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), labelValue, {
  maxKeys: 12,
});

test('random label maps never throw and always give a well-formed result', () => {
  fc.assert(
    fc.property(namespace, pvcName, labels, (ns, name, map) => {
      const result = parseIntent({ namespace: ns, name, labels: map }, defaultConfig);
      if (result.kind === 'invalid') {
        assert.ok(result.violations.length > 0);
        for (const v of result.violations) assert.ok(v.message.startsWith(v.labelKey));
      }
    }),
    { numRuns: 2000 },
  );
});

const validLabels = (maxRetention: number) =>
  fc.record(
    {
      name: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/),
      retain: fc.integer({ min: 1, max: maxRetention }).map(String),
      interval: fc.constantFrom('1', '2', '3', '4', '6', '8', '12', '24', '06'),
      start: fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`),
      'full-backup-interval': fc.nat({ max: 100000 }).map(String),
      concurrency: fc.integer({ min: 1, max: 1000 }).map(String),
      archive: fc.constant('false'),
    },
    { requiredKeys: ['name'] },
  );
const shortNamespace = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
const archive = fc
  .option(fc.constantFrom('2026-07-11', '2028-02-29', '1999-12-31'), { nil: undefined })
  .map((date) => (date === undefined ? {} : { archive: 'true', 'archive-delete-after': date }));
const maxAndLabels = fc
  .integer({ min: 1, max: 250 })
  .chain((max) => fc.tuple(fc.constant(max), validLabels(max), archive))
  .map(([max, labels, request]): [number, Record<string, string>] => [max, definedOnly({ ...labels, ...request })]);

/** fc.record leaves optional keys out; this tells the type checker so. */
function definedOnly(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

test('every accepted intent yields a job Longhorn accepts, firing 24/interval times a day at the start minute', () => {
  fc.assert(
    fc.property(shortNamespace, pvcName, maxAndLabels, (ns, name, [maxRetention, chosen]) => {
      // As parseConfig guarantees: the default retain is within maxRetention.
      const config: GuardConfig = {
        ...defaultConfig,
        maxRetention,
        defaults: { ...defaultConfig.defaults, retain: Math.min(8, maxRetention) },
      };
      const map = Object.fromEntries(
        Object.entries({ enabled: 'true', ...chosen }).map(([k, v]) => [`${config.labelPrefix}/${k}`, v]),
      );
      const result = parseIntent({ namespace: ns, name, labels: map }, config);
      assert.ok(result.kind === 'opted-in', JSON.stringify(result));
      const job = desiredRecurringJob(result.intent, config);
      assert.deepEqual(recurringJobProblems(job, maxRetention), []);
      assert.ok(job.spec.name.length <= 40 && job.spec.retain <= maxRetention && job.spec.retain >= 1);
      assert.ok(Object.values(job.metadata.labels).every(isLabelValue));
      assert.deepEqual(diffRecurringJob(job, job, config), { inSync: true });

      const parsed = parseStandardCron(job.spec.cron);
      assert.ok(parsed.ok);
      const { start, interval } = result.intent.settings;
      const dayStart = Date.UTC(2026, 5, 1);
      const fires: Date[] = [];
      for (
        let t = nextFireTime(parsed.schedule, new Date(dayStart - 1));
        t !== null && t.getTime() < dayStart + 86_400_000;
        t = nextFireTime(parsed.schedule, t)
      )
        fires.push(t);
      assert.equal(fires.length, 24 / interval);
      assert.ok(fires.every((f) => f.getUTCMinutes() === start.minute));
      assert.ok(fires.some((f) => f.getUTCHours() === start.hour));
    }),
    { numRuns: 500 },
  );
});
