import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';

const P = 'backup.vluwte.nl';

function messages(
  labels: Record<string, string>,
  namespace = 'monitoring',
  config: GuardConfig = defaultConfig,
): string[] {
  const result = parseIntent({ namespace, name: 'grafana', labels }, config);
  return result.kind === 'invalid' ? result.violations.map((v) => v.message) : [];
}

test('opted in with defaults: resolved settings and which came from defaults', () => {
  const result = parseIntent(
    {
      namespace: 'monitoring',
      name: 'grafana',
      labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'grafana', [`${P}/retain`]: '14' },
    },
    defaultConfig,
  );
  assert.deepEqual(result, {
    kind: 'opted-in',
    namespace: 'monitoring',
    pvcName: 'grafana',
    intent: {
      namespace: 'monitoring',
      pvcName: 'grafana',
      name: 'grafana',
      jobName: 'backup-monitoring-grafana',
      settings: { retain: 14, interval: 4, start: { hour: 0, minute: 30 }, fullBackupInterval: 4, concurrency: 1 },
      fromDefaults: ['interval', 'start', 'fullBackupInterval', 'concurrency'],
      archive: null,
      jobLabels: {},
      policy: null,
    },
  });
});

test('defaults come from the configuration, not from constants', () => {
  const config: GuardConfig = {
    ...defaultConfig,
    defaults: { retain: 3, interval: 12, start: { hour: 21, minute: 15 }, fullBackupInterval: 0, concurrency: 2 },
  };
  const result = parseIntent(
    { namespace: 'ns', name: 'p', labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'p' } },
    config,
  );
  assert.deepEqual(result.kind === 'opted-in' && result.intent.settings, config.defaults);
});

test('retain is judged against the configured maxRetention', () => {
  const config: GuardConfig = { ...defaultConfig, maxRetention: 200 };
  const result = parseIntent(
    { namespace: 'ns', name: 'p', labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'p', [`${P}/retain`]: '150' } },
    config,
  );
  assert.equal(result.kind === 'opted-in' && result.intent.settings.retain, 150);
});

test('a custom prefix: only its labels count', () => {
  const config: GuardConfig = { ...defaultConfig, labelPrefix: 'backup.example.com' };
  const labels = { [`${P}/enabled`]: 'true', 'backup.example.com/enabled': 'false' };
  assert.equal(parseIntent({ namespace: 'ns', name: 'p', labels }, config).kind, 'opted-out');
});

test('the interval message, exactly', () => {
  assert.deepEqual(messages({ [`${P}/enabled`]: 'true', [`${P}/name`]: 'grafana', [`${P}/interval`]: '5' }), [
    'backup.vluwte.nl/interval="5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. backup.vluwte.nl/interval=6)',
  ]);
});

test('several violations on one PVC are all reported, in label order, each saying what works', () => {
  const labels = {
    [`${P}/enabled`]: 'yes',
    [`${P}/name`]: 'Grafana_Main',
    [`${P}/retain`]: '101',
    [`${P}/interval`]: '0',
    [`${P}/start`]: '930',
    [`${P}/full-backup-interval`]: '-1',
    [`${P}/concurrency`]: '0',
    [`${P}/archive`]: 'yes',
    [`${P}/archive-delete-after`]: '2026-02-30',
  };
  assert.deepEqual(messages(labels), [
    'backup.vluwte.nl/enabled="yes" is not allowed: use true or false (e.g. backup.vluwte.nl/enabled=true)',
    `backup.vluwte.nl/name="Grafana_Main" is not a DNS label: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 22 characters in namespace "monitoring" (e.g. backup.vluwte.nl/name=grafana-main)`,
    'backup.vluwte.nl/retain="101" is above the maximum of 100 (Longhorn\'s recurring-job-max-retention): use a whole number from 1 to 100 (e.g. backup.vluwte.nl/retain=100)',
    'backup.vluwte.nl/interval="0" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. backup.vluwte.nl/interval=1)',
    'backup.vluwte.nl/start="930" is not in HHMM form: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. backup.vluwte.nl/start=0930)',
    'backup.vluwte.nl/full-backup-interval="-1" is not a whole number: use a whole number of 0 or more (e.g. backup.vluwte.nl/full-backup-interval=0)',
    'backup.vluwte.nl/concurrency="0" is less than 1: use a whole number of 1 or more (e.g. backup.vluwte.nl/concurrency=1)',
    'backup.vluwte.nl/archive="yes" is not allowed: use true to start the archive workflow, or false (or no label) for none (e.g. backup.vluwte.nl/archive=true)',
    'backup.vluwte.nl/archive-delete-after="2026-02-30" is not a real calendar date: use a real date as YYYY-MM-DD (e.g. backup.vluwte.nl/archive-delete-after=2026-02-28)',
  ]);
});

test('missing labels have no value and say what to add', () => {
  assert.deepEqual(messages({}), [
    'backup.vluwte.nl/enabled is missing: every Longhorn-backed PVC must opt in or out: use true or false (e.g. backup.vluwte.nl/enabled=true)',
  ]);
  assert.deepEqual(messages({ [`${P}/enabled`]: 'true', [`${P}/archive`]: 'true' }), [
    'backup.vluwte.nl/name is missing: backup.vluwte.nl/enabled=true needs a name for the job backup-monitoring-<name>: use a DNS label of at most 22 characters (e.g. backup.vluwte.nl/name=grafana)',
    'backup.vluwte.nl/archive-delete-after is missing: backup.vluwte.nl/archive=true needs the date after which the archive may be deleted: use a real date as YYYY-MM-DD (e.g. backup.vluwte.nl/archive-delete-after=2030-12-31)',
  ]);
});

test('examples are values that work', () => {
  const example = (label: string, value: string) =>
    /\(e\.g\. [^=]+=(.*)\)$/.exec(messages({ [`${P}/enabled`]: 'false', [`${P}/${label}`]: value })[0] ?? '')?.[1];
  assert.equal(example('start', '00:30'), '0030');
  assert.equal(example('start', '2400'), '0000');
  assert.equal(example('start', '0060'), '0100');
  assert.equal(example('start', '9'), '0900');
  assert.equal(example('start', 'noon'), '0030');
  assert.equal(example('retain', '+5'), '5');
  assert.equal(example('retain', '1e2'), '100');
  assert.equal(example('retain', '-1'), '1');
  assert.equal(example('retain', 'many'), '8');
  assert.equal(example('interval', '7'), '8');
  assert.equal(example('interval', '100'), '24');
  assert.equal(example('enabled', 'no'), 'false');
  assert.equal(example('archive-delete-after', '11.07.2026'), '2026-07-11');
  assert.equal(example('archive-delete-after', '2026-13-40'), '2026-12-31');
  assert.equal(example('archive-delete-after', 'soon'), '2030-12-31');
  assert.equal(example('name', '--My App--'), 'my-app');
});

test('an invalid result still tells enabled and a valid name (for duplicate detection)', () => {
  const result = parseIntent(
    { namespace: 'ns', name: 'p', labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'p', [`${P}/interval`]: '5' } },
    defaultConfig,
  );
  assert.equal(result.kind, 'invalid');
  assert.equal(result.kind === 'invalid' && result.enabled, true);
  assert.equal(result.kind === 'invalid' && result.name, 'p');
});
