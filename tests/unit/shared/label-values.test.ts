// Every label, every condition code, every boundary: through parseIntent, as the webhook and the
// reconciler see them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { IntentResult } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { CONDITION_CODES, type ConditionCode } from '@longhorn-backup-guard/shared/intent/violation';
import { withPolicies } from '../../fixtures/policy-config.ts';

const P = 'backup.vluwte.nl';

function parse(
  extra: Record<string, string>,
  base: Record<string, string> = { [`${P}/enabled`]: 'true', [`${P}/name`]: 'app' },
  namespace = 'team',
): IntentResult {
  return parseIntent({ namespace, name: 'data-app-0', labels: { ...base, ...extra } }, defaultConfig);
}

const seen = new Set<ConditionCode>();

function conditions(result: IntentResult): ConditionCode[] {
  const codes = result.kind === 'invalid' ? result.violations.map((v) => v.condition) : [];
  for (const code of codes) seen.add(code);
  return codes;
}

function settings(result: IntentResult) {
  assert.equal(result.kind, 'opted-in', JSON.stringify(result));
  return result.kind === 'opted-in' ? result.intent.settings : undefined;
}

type Row = readonly [label: string, value: string, expected: ConditionCode | 'ok', normalised?: unknown];

const rows: readonly Row[] = [
  ['start', '0000', 'ok', { hour: 0, minute: 0 }],
  ['start', '2359', 'ok', { hour: 23, minute: 59 }],
  ['start', '0030', 'ok', { hour: 0, minute: 30 }],
  ['start', '2400', 'invalid_start'],
  ['start', '0060', 'invalid_start'],
  ['start', '930', 'invalid_start'],
  ['start', '00:30', 'invalid_start'],
  ['start', '', 'invalid_start'],
  ['start', '12345', 'invalid_start'],
  ['start', '１２００', 'invalid_start'],
  ['interval', '24', 'ok', 24],
  ['interval', '1', 'ok', 1],
  ['interval', '12', 'ok', 12],
  ['interval', '06', 'ok', 6],
  ['interval', '5', 'invalid_interval'],
  ['interval', '0', 'invalid_interval'],
  ['interval', '48', 'invalid_interval'],
  ['interval', '4h', 'invalid_interval'],
  ['interval', '', 'invalid_interval'],
  ['retain', '1', 'ok', 1],
  ['retain', '100', 'ok', 100],
  ['retain', '08', 'ok', 8],
  ['retain', '101', 'retain_above_max'],
  ['retain', '99999999999999999999', 'retain_above_max'],
  ['retain', '0', 'invalid_retain'],
  ['retain', '00', 'invalid_retain'],
  ['retain', '-1', 'invalid_retain'],
  ['retain', '+5', 'invalid_retain'],
  ['retain', '1e2', 'invalid_retain'],
  ['retain', '0x10', 'invalid_retain'],
  ['retain', ' 8', 'invalid_retain'],
  ['retain', '8.0', 'invalid_retain'],
  ['retain', '', 'invalid_retain'],
  ['full-backup-interval', '0', 'ok', 0],
  ['full-backup-interval', '4', 'ok', 4],
  ['full-backup-interval', '2147483647', 'ok', 2147483647],
  ['full-backup-interval', '2147483648', 'invalid_full_backup_interval'],
  ['full-backup-interval', '-1', 'invalid_full_backup_interval'],
  ['full-backup-interval', 'four', 'invalid_full_backup_interval'],
  ['concurrency', '1', 'ok', 1],
  ['concurrency', '0', 'invalid_concurrency'],
  ['concurrency', '-1', 'invalid_concurrency'],
  ['concurrency', '1.5', 'invalid_concurrency'],
];

const field = {
  start: 'start',
  interval: 'interval',
  retain: 'retain',
  'full-backup-interval': 'fullBackupInterval',
  concurrency: 'concurrency',
} as const;

describe('setting labels', () => {
  for (const [label, value, expected, normalised] of rows) {
    test(`${label}=${JSON.stringify(value)} -> ${expected}`, () => {
      const result = parse({ [`${P}/${label}`]: value });
      if (expected === 'ok') {
        assert.deepEqual(settings(result)?.[field[label as keyof typeof field]], normalised);
      } else {
        assert.deepEqual(conditions(result), [expected]);
      }
    });
  }
});

describe('enabled', () => {
  test('missing -> missing_enabled_label', () => {
    const result = parse({}, { [`${P}/name`]: 'app' });
    assert.deepEqual(conditions(result), ['missing_enabled_label']);
    assert.equal(result.kind === 'invalid' && result.violations[0]?.value, null);
  });
  test('no labels at all -> missing_enabled_label', () => {
    assert.deepEqual(conditions(parseIntent({ namespace: 'team', name: 'x', labels: undefined }, defaultConfig)), [
      'missing_enabled_label',
    ]);
  });
  for (const value of ['yes', 'True', 'TRUE', '1', '', 'false ']) {
    test(`${JSON.stringify(value)} -> invalid_enabled`, () =>
      assert.deepEqual(conditions(parse({ [`${P}/enabled`]: value })), ['invalid_enabled']));
  }
  test('false -> opted out, no name needed', () => {
    assert.equal(
      parseIntent({ namespace: 'team', name: 'x', labels: { [`${P}/enabled`]: 'false' } }, defaultConfig).kind,
      'opted-out',
    );
  });
  test('false still reports a malformed value', () => {
    assert.deepEqual(conditions(parse({ [`${P}/enabled`]: 'false', [`${P}/interval`]: '5' })), ['invalid_interval']);
  });
});

describe('name', () => {
  // namespace "team": `backup-team-` is 12 characters, so a name may have 28.
  const name28 = 'a'.repeat(28);
  test('job name of exactly 40 characters is accepted', () => {
    const result = parse({ [`${P}/name`]: name28 });
    assert.equal(result.kind === 'opted-in' && result.intent.jobName.length, 40);
  });
  test('job name of 41 characters -> job_name_too_long, saying how many are available', () => {
    const result = parse({ [`${P}/name`]: `${name28}b` });
    assert.deepEqual(conditions(result), ['job_name_too_long']);
    assert.match(
      result.kind === 'invalid' ? (result.violations[0]?.message ?? '') : '',
      /41 characters long, Longhorn allows 40: in namespace "team" the name can have at most 28 characters \(e\.g\. backup\.vluwte\.nl\/name=a{28}\)/,
    );
  });
  test('missing when enabled -> missing_name, suggesting the PVC name', () => {
    const result = parse({}, { [`${P}/enabled`]: 'true' });
    assert.deepEqual(conditions(result), ['missing_name']);
    assert.match(
      result.kind === 'invalid' ? (result.violations[0]?.message ?? '') : '',
      /\(e\.g\. backup\.vluwte\.nl\/name=data-app-0\)$/,
    );
  });
  for (const value of ['App', 'my_app', '-app', 'app-', '', 'a.b', 'x'.repeat(64)]) {
    test(`${JSON.stringify(value)} -> invalid_name`, () =>
      assert.deepEqual(conditions(parse({ [`${P}/name`]: value })), ['invalid_name']));
  }
  test('a namespace too long for any name', () => {
    const result = parse({}, { [`${P}/enabled`]: 'true', [`${P}/name`]: 'a' }, 'n'.repeat(32));
    assert.deepEqual(conditions(result), ['job_name_too_long']);
    assert.match(result.kind === 'invalid' ? (result.violations[0]?.message ?? '') : '', /leaves no room for a name/);
  });
});

describe('archive', () => {
  const date = `${P}/archive-delete-after`;
  test('archive=true with a date -> archive request', () => {
    const result = parse({ [`${P}/archive`]: 'true', [date]: '2028-02-29' });
    assert.deepEqual(result.kind === 'opted-in' && result.intent.archive, { deleteAfter: '2028-02-29' });
  });
  test('archive=true without a date -> archive_without_delete_after', () => {
    const result = parse({ [`${P}/archive`]: 'true' });
    assert.deepEqual(conditions(result), ['archive_without_delete_after']);
    assert.equal(result.kind === 'invalid' && result.violations[0]?.labelKey, date);
  });
  test('archive=false is no request, like no label', () => {
    const result = parse({ [`${P}/archive`]: 'false' });
    assert.equal(result.kind === 'opted-in' && result.intent.archive, null);
  });
  for (const value of ['yes', 'True', '']) {
    test(`archive=${JSON.stringify(value)} -> invalid_archive`, () =>
      assert.deepEqual(conditions(parse({ [`${P}/archive`]: value, [date]: '2030-01-01' })), ['invalid_archive']));
  }
  for (const value of [
    '2026-02-30',
    '2027-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '26-01-01',
    '2026-1-1',
    '2026/01/01',
    '',
  ]) {
    test(`archive-delete-after=${JSON.stringify(value)} -> invalid_archive_delete_after`, () => {
      assert.deepEqual(conditions(parse({ [`${P}/archive`]: 'true', [date]: value })), [
        'invalid_archive_delete_after',
      ]);
    });
  }
  for (const value of ['2028-02-29', '2000-02-29', '2026-12-31', '2026-01-01']) {
    test(`archive-delete-after=${value} is a real date`, () =>
      assert.equal(parse({ [`${P}/archive`]: 'true', [date]: value }).kind, 'opted-in'));
  }
  test('1900-02-29 is not (century rule)', () =>
    assert.deepEqual(conditions(parse({ [date]: '1900-02-29' })), ['invalid_archive_delete_after']));
  test('archive on an opted-out PVC is kept', () => {
    const result = parse({ [`${P}/enabled`]: 'false', [`${P}/archive`]: 'true', [date]: '2030-01-01' });
    assert.deepEqual(result.kind === 'opted-out' && result.archive, { deleteAfter: '2030-01-01' });
  });
});

describe('policy', () => {
  const config = withPolicies();
  const policyParse = (extra: Record<string, string>) =>
    parseIntent(
      { namespace: 'team', name: 'data-app-0', labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'app', ...extra } },
      config,
    );
  test('a known policy is opted in with it', () => {
    const result = policyParse({ [`${P}/policy`]: 'standard' });
    assert.equal(result.kind === 'opted-in' && result.intent.policy, 'standard');
  });
  test('an unknown policy lists the known ones', () => {
    const result = policyParse({ [`${P}/policy`]: 'standrd' });
    assert.deepEqual(conditions(result), ['unknown_policy']);
    assert.equal(
      result.kind === 'invalid' && result.violations[0]?.message,
      `${P}/policy="standrd" is not a policy of this cluster: use standard or frequent (e.g. ${P}/policy=standard)`,
    );
  });
  test('with no policies configured, the label says so', () => {
    assert.deepEqual(conditions(parse({ [`${P}/policy`]: 'standard' })), ['unknown_policy']);
  });
  test('policy with interval and start: each is refused, saying which to remove', () => {
    const result = policyParse({ [`${P}/policy`]: 'standard', [`${P}/interval`]: '6', [`${P}/start`]: '0100' });
    assert.deepEqual(conditions(result), ['policy_with_schedule_labels', 'policy_with_schedule_labels']);
    assert.equal(
      result.kind === 'invalid' && result.violations[0]?.message,
      `${P}/interval="6" cannot be combined with ${P}/policy=standard: remove this label (the policy's schedules say when to back up and how many to keep), or remove ${P}/policy`,
    );
  });
});

test('the tests above produced every condition code but duplicate_name (see duplicate-names.test.ts)', () => {
  assert.deepEqual(
    CONDITION_CODES.filter((code) => !seen.has(code)),
    ['duplicate_name'],
  );
});
