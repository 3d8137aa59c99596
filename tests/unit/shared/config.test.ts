import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { enabledDefault } from '@longhorn-backup-guard/shared/config/enabled-default';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { isNamespaceInScope } from '@longhorn-backup-guard/shared/config/namespace-scope';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import { serializeConfig } from '@longhorn-backup-guard/shared/config/serialize-config';
import { INTERVAL_HOURS } from '@longhorn-backup-guard/shared/intent/schedule-values';

function config(text: string): GuardConfig {
  const result = parseConfig(text);
  assert.ok(result.ok, JSON.stringify(result));
  return result.config;
}

function errors(text: string): string[] {
  const result = parseConfig(text);
  assert.ok(!result.ok, 'expected errors');
  return result.errors.map((error) => error.message);
}

describe('parseConfig', () => {
  test('empty text, comments only, or an empty mapping: all defaults', () => {
    for (const text of ['', '# nothing here\n', '{}', '---\n', 'defaults:\n'])
      assert.deepEqual(config(text), defaultConfig);
  });

  test('the documented defaults', () => {
    assert.equal(defaultConfig.labelPrefix, 'backup.vluwte.nl');
    assert.deepEqual(defaultConfig.defaults, {
      retain: 8,
      interval: 4,
      start: { hour: 0, minute: 30 },
      fullBackupInterval: 4,
      concurrency: 1,
    });
    assert.equal(defaultConfig.namespacePolicyLabel, 'backup.vluwte.nl/default-enabled');
    assert.deepEqual(defaultConfig.excludedNamespaces, [
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'longhorn-system',
    ]);
    assert.equal(defaultConfig.orphanGracePeriod, 24 * 3600_000);
    assert.equal(defaultConfig.resyncPeriod, 600_000);
    assert.equal(defaultConfig.snapshotReadyTimeout, 600_000);
    assert.equal(defaultConfig.backupCompletionTimeout, 6 * 3600_000);
    assert.equal(defaultConfig.clusterDefaultEnabled, null);
    assert.equal(defaultConfig.denyDeleteWithoutArchive, false);
  });

  test('a full configuration', () => {
    const parsed = config(`
labelPrefix: backup.example.com
defaults:
  retain: 14
  interval: 6
  start: 2100          # unquoted: still the text 2100
  fullBackupInterval: 0
  concurrency: 2
maxRetention: 250
longhornNamespace: storage
provisioner: kubernetes.io/longhorn
excludedNamespaces: [kube-system]
clusterDefaultEnabled: true
watchNamespaces:
  - team-a
  - team-b
orphanGracePeriod: 1h30m
resyncPeriod: 90s
denyDeleteWithoutArchive: True
snapshotReadyTimeout: 2m
backupCompletionTimeout: 1.5h
archiveMaxAttempts: 3
backupStaleSlack: 30m
backupFailingAfter: 3
`);
    assert.deepEqual(parsed, {
      labelPrefix: 'backup.example.com',
      defaults: { retain: 14, interval: 6, start: { hour: 21, minute: 0 }, fullBackupInterval: 0, concurrency: 2 },
      maxRetention: 250,
      longhornNamespace: 'storage',
      provisioner: 'kubernetes.io/longhorn',
      excludedNamespaces: ['kube-system'],
      namespacePolicyLabel: 'backup.example.com/default-enabled',
      clusterDefaultEnabled: true,
      watchNamespaces: ['team-a', 'team-b'],
      orphanGracePeriod: 5_400_000,
      resyncPeriod: 90_000,
      denyDeleteWithoutArchive: true,
      snapshotReadyTimeout: 120_000,
      backupCompletionTimeout: 5_400_000,
      archiveMaxAttempts: 3,
      backupStaleSlack: 1_800_000,
      backupFailingAfter: 3,
      policies: [],
    });
  });

  test('start 0030 unquoted keeps its leading zeros; leading zeros in numbers are accepted', () => {
    assert.deepEqual(config('defaults:\n  start: 0030\n  retain: 08\n').defaults, {
      ...defaultConfig.defaults,
      retain: 8,
    });
  });

  test('null and ~ mean "use the default"; a quoted "null" is a value', () => {
    assert.deepEqual(config('labelPrefix: null\nresyncPeriod: ~\nclusterDefaultEnabled:\n'), defaultConfig);
    assert.equal(config('longhornNamespace: "null"\n').longhornNamespace, 'null');
  });

  test('the result is deeply frozen', () => {
    const parsed = config('watchNamespaces: [a]\n');
    assert.ok(
      Object.isFrozen(parsed) &&
        Object.isFrozen(parsed.defaults) &&
        Object.isFrozen(parsed.defaults.start) &&
        Object.isFrozen(parsed.watchNamespaces),
    );
    assert.ok(Object.isFrozen(defaultConfig));
  });

  test('clusterDefaultEnabled: true, false or null', () => {
    assert.equal(config('clusterDefaultEnabled: false\n').clusterDefaultEnabled, false);
    assert.equal(config('clusterDefaultEnabled: null\n').clusterDefaultEnabled, null);
  });

  test('aliases are followed', () => {
    assert.deepEqual(config('excludedNamespaces: &ns [a, b]\nwatchNamespaces: *ns\n').watchNamespaces, ['a', 'b']);
  });
});

describe('configuration errors name the key path and the fix', () => {
  const cases: readonly (readonly [string, string])[] = [
    [
      'labelPrefix: Backup_Example\n',
      `labelPrefix: "Backup_Example" is not a DNS subdomain: use lowercase letters, digits, '-' and '.', at most 253 characters (e.g. labelPrefix: backup.vluwte.nl)`,
    ],
    [
      'maxRetention: 251\n',
      `maxRetention: "251" is outside Longhorn's range 1..250: use the value of Longhorn's setting recurring-job-max-retention, 1 to 250 (e.g. maxRetention: 250)`,
    ],
    [
      'maxRetention: ten\n',
      `maxRetention: "ten" is not a whole number: use the value of Longhorn's setting recurring-job-max-retention, 1 to 250 (e.g. maxRetention: 100)`,
    ],
    [
      'defaults:\n  retain: 0\n',
      'defaults.retain: "0" is less than 1: use a whole number from 1 to 100 (e.g. defaults.retain: 1)',
    ],
    [
      'defaults:\n  retain: 101\n',
      'defaults.retain: "101" is above the maximum of 100 (Longhorn\'s recurring-job-max-retention): use a whole number from 1 to 100 (e.g. defaults.retain: 100)',
    ],
    [
      'maxRetention: 5\n',
      'defaults.retain: the built-in default 8 is above maxRetention 5: set defaults.retain as well (e.g. defaults.retain: 5)',
    ],
    [
      'defaults:\n  interval: 5\n',
      'defaults.interval: "5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. defaults.interval: 6)',
    ],
    [
      'defaults:\n  start: "24:00"\n',
      'defaults.start: "24:00" is not in HHMM form: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. defaults.start: 0000)',
    ],
    [
      'defaults:\n  fullBackupInterval: -1\n',
      'defaults.fullBackupInterval: "-1" is not a whole number: use a whole number of 0 or more (e.g. defaults.fullBackupInterval: 0)',
    ],
    [
      'defaults:\n  concurrency: 0\n',
      'defaults.concurrency: "0" is less than 1: use a whole number of 1 or more (e.g. defaults.concurrency: 1)',
    ],
    [
      'longhornNamespace: Longhorn\n',
      `longhornNamespace: "Longhorn" is not a namespace name: use a DNS label: lowercase letters, digits and '-', at most 63 characters (e.g. longhornNamespace: longhorn-system)`,
    ],
    [
      'provisioner: "driver longhorn"\n',
      'provisioner: "driver longhorn" is not a provisioner name: use the provisioner of your Longhorn StorageClasses (e.g. provisioner: driver.longhorn.io)',
    ],
    [
      'namespacePolicyLabel: "a/b/c"\n',
      'namespacePolicyLabel: "a/b/c" is not a label key: use a label key, prefix/name (e.g. namespacePolicyLabel: backup.vluwte.nl/default-enabled)',
    ],
    [
      'clusterDefaultEnabled: maybe\n',
      'clusterDefaultEnabled: "maybe" is not a boolean: use true, false, or null (no defaulting) (e.g. clusterDefaultEnabled: null)',
    ],
    [
      'denyDeleteWithoutArchive: yes\n',
      'denyDeleteWithoutArchive: "yes" is not a boolean: use true or false (e.g. denyDeleteWithoutArchive: false)',
    ],
    [
      'orphanGracePeriod: 24\n',
      'orphanGracePeriod: "24" is not a duration: use a duration of at least 1s such as 90s, 30m, 24h or 1h30m (e.g. orphanGracePeriod: 24h)',
    ],
    [
      'resyncPeriod: 500ms\n',
      'resyncPeriod: "500ms" is shorter than 1s: use a duration of at least 1s such as 90s, 30m, 24h or 1h30m (e.g. resyncPeriod: 10m)',
    ],
    [
      'snapshotReadyTimeout: 10 minutes\n',
      'snapshotReadyTimeout: "10 minutes" is not a duration: use a duration of at least 1s such as 90s, 30m, 24h or 1h30m (e.g. snapshotReadyTimeout: 10m)',
    ],
    [
      'backupFailingAfter: 0\n',
      'backupFailingAfter: "0" is outside 1..100: use how many failed runs in a row make a PVC failing, 1 to 100 (e.g. backupFailingAfter: 1)',
    ],
    [
      'backupCompletionTimeout: -6h\n',
      'backupCompletionTimeout: "-6h" is shorter than 1s: use a duration of at least 1s such as 90s, 30m, 24h or 1h30m (e.g. backupCompletionTimeout: 6h)',
    ],
    [
      'excludedNamespaces: kube-system\n',
      'excludedNamespaces is a single value: use a list of namespace names (e.g. excludedNamespaces: [kube-system, kube-public, kube-node-lease, longhorn-system])',
    ],
    [
      'watchNamespaces: [ok, Not_Ok]\n',
      `watchNamespaces[1]: "Not_Ok" is not a namespace name: use a DNS label: lowercase letters, digits and '-', at most 63 characters (e.g. watchNamespaces[1]: longhorn-system)`,
    ],
    [
      'watchNamespaces: [[a]]\n',
      'watchNamespaces[0] is a list: use a namespace name (e.g. watchNamespaces[0]: longhorn-system)',
    ],
    ['provisioner: [a]\n', 'provisioner is a list: use a single value (e.g. provisioner: driver.longhorn.io)'],
    [
      'defaults: 4\n',
      'defaults is a single value: use a mapping of retain, interval, start, fullBackupInterval, concurrency',
    ],
    [
      '- a\n',
      'the configuration is a list: use a mapping of labelPrefix, defaults, maxRetention, longhornNamespace, provisioner, excludedNamespaces, namespacePolicyLabel, clusterDefaultEnabled, watchNamespaces, orphanGracePeriod, resyncPeriod, denyDeleteWithoutArchive, snapshotReadyTimeout, backupCompletionTimeout, archiveMaxAttempts, backupStaleSlack, backupFailingAfter, policies',
    ],
    [
      'archiveMaxAttempts: 0\n',
      'archiveMaxAttempts: "0" is outside 1..1000: use a whole number of attempts, 1 to 1000 (e.g. archiveMaxAttempts: 1)',
    ],
    ['resyncperiod: 5m\n', 'resyncperiod: unknown key: did you mean resyncPeriod?'],
    ['orphan_grace_period: 5m\n', 'orphan_grace_period: unknown key: did you mean orphanGracePeriod?'],
    ['interval: 6\n', 'interval: unknown key: did you mean defaults.interval?'],
    [
      'defaults:\n  full-backup-interval: 2\n',
      'defaults.full-backup-interval: unknown key: did you mean fullBackupInterval?',
    ],
    [
      'colour: blue\n',
      'colour: unknown key: the known keys are labelPrefix, defaults, maxRetention, longhornNamespace, provisioner, excludedNamespaces, namespacePolicyLabel, clusterDefaultEnabled, watchNamespaces, orphanGracePeriod, resyncPeriod, denyDeleteWithoutArchive, snapshotReadyTimeout, backupCompletionTimeout, archiveMaxAttempts, backupStaleSlack, backupFailingAfter, policies',
    ],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => assert.deepEqual(errors(text), [message]));
  }

  test('paths are given separately too', () => {
    const result = parseConfig('defaults:\n  interval: 5\nwatchNamespaces: [X]\n');
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.path), ['defaults.interval', 'watchNamespaces[0]']);
  });

  test('all errors at once', () => {
    assert.equal(
      errors('labelPrefix: X\nmaxRetention: 0\ndefaults:\n  interval: 5\n  start: 2400\nresyncPeriod: 1\ncolor: red\n')
        .length,
      6,
    );
  });

  test('YAML syntax errors and duplicate keys', () => {
    assert.match(errors('a: [1\n')[0] ?? '', /^not valid YAML: .*\(line 2, column 1\)$/);
    assert.match(errors('resyncPeriod: 1m\nresyncPeriod: 2m\n')[0] ?? '', /^not valid YAML: Map keys must be unique/);
  });
});

describe('serializeConfig', () => {
  test('defaults round trip, and the text is readable', () => {
    const text = serializeConfig(defaultConfig);
    assert.match(text, /^ {2}start: "0030"$/m);
    assert.match(text, /^orphanGracePeriod: 24h$/m);
    assert.deepEqual(config(text), defaultConfig);
  });

  const namespace = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
  const duration = fc.integer({ min: 1000, max: 30 * 24 * 3600_000 });
  const arbitraryConfig = fc
    .integer({ min: 1, max: 250 })
    .chain((maxRetention) =>
      fc.record({
        labelPrefix: fc.constantFrom('backup.vluwte.nl', 'b.example.com', 'x'),
        defaults: fc.record({
          retain: fc.integer({ min: 1, max: maxRetention }),
          interval: fc.constantFrom(...INTERVAL_HOURS),
          start: fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) }),
          fullBackupInterval: fc.nat({ max: 1000 }),
          concurrency: fc.integer({ min: 1, max: 100 }),
        }),
        maxRetention: fc.constant(maxRetention),
        longhornNamespace: namespace,
        provisioner: fc.constantFrom('driver.longhorn.io', 'kubernetes.io/x'),
        excludedNamespaces: fc.array(namespace, { maxLength: 4 }),
        namespacePolicyLabel: fc.constantFrom('backup.vluwte.nl/default-enabled', 'policy', 'a.b/c'),
        clusterDefaultEnabled: fc.constantFrom(true, false, null),
        watchNamespaces: fc.array(namespace, { maxLength: 4 }),
        orphanGracePeriod: duration,
        resyncPeriod: duration,
        denyDeleteWithoutArchive: fc.boolean(),
        snapshotReadyTimeout: duration,
        backupCompletionTimeout: duration,
        archiveMaxAttempts: fc.integer({ min: 1, max: 1000 }),
        backupStaleSlack: duration,
        backupFailingAfter: fc.integer({ min: 1, max: 100 }),
        policies: fc.constant([]),
      }),
    )
    .map(
      // plain prototypes, as parsing makes
      (generated): GuardConfig => JSON.parse(JSON.stringify(generated)) as GuardConfig,
    );

  test('serialise -> parse gives the same configuration (property)', () => {
    fc.assert(
      fc.property(arbitraryConfig, (original) => assert.deepEqual(config(serializeConfig(original)), original)),
    );
  });
});

describe('helpers', () => {
  test('isNamespaceInScope: excluded wins, empty watch list means all', () => {
    assert.equal(isNamespaceInScope(defaultConfig, 'team-a'), true);
    assert.equal(isNamespaceInScope(defaultConfig, 'kube-system'), false);
    const watching = { ...defaultConfig, watchNamespaces: ['team-a', 'kube-system'] };
    assert.equal(isNamespaceInScope(watching, 'team-a'), true);
    assert.equal(isNamespaceInScope(watching, 'team-b'), false);
    assert.equal(isNamespaceInScope(watching, 'kube-system'), false);
  });

  test('enabledDefault: namespace policy label, else the cluster default', () => {
    const key = defaultConfig.namespacePolicyLabel;
    assert.equal(enabledDefault(defaultConfig, { [key]: 'true' }), true);
    assert.equal(enabledDefault(defaultConfig, { [key]: 'false' }), false);
    assert.equal(enabledDefault(defaultConfig, { [key]: 'yes' }), null);
    assert.equal(enabledDefault(defaultConfig, undefined), null);
    assert.equal(enabledDefault({ ...defaultConfig, clusterDefaultEnabled: true }, {}), true);
    assert.equal(enabledDefault({ ...defaultConfig, clusterDefaultEnabled: true }, { [key]: 'false' }), false);
  });
});
