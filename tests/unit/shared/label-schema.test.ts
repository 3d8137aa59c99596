// Walks the label schema: every PVC label parses, is refused with one of its own condition codes,
// takes its ConfigMap default when declared, reaches the RecurringJob exactly where its entry
// says and is kept in line by the diff; every key of the table is unique and documented.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import type { BackupIntent } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { SETTING_NAMES, parseSetting } from '@longhorn-backup-guard/shared/intent/backup-settings';
import { jobNameFor } from '@longhorn-backup-guard/shared/intent/job-name';
import { backupLabelKeys, pvcLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import {
  LABEL_SCHEMA,
  PVC_LABEL_ENTRIES,
  groupKeys,
  type LabelGroup,
  type SettingName,
} from '@longhorn-backup-guard/shared/intent/label-schema';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';
import { CONDITION_CODES } from '@longhorn-backup-guard/shared/intent/violation';
import { desiredRecurringJob } from '@longhorn-backup-guard/shared/recurring-job/desired-recurring-job';
import { diffRecurringJob, ownedJobLabels } from '@longhorn-backup-guard/shared/recurring-job/diff-recurring-job';
import { withPolicies } from '../../fixtures/policy-config.ts';

const P = 'backup.vluwte.nl';
const keys = backupLabelKeys(P);
const NAMESPACE = 'team-a';

/** The labels of a PVC with its own job; the policy label replaces the schedule labels (tested below). */
const OWN_JOB_ENTRIES = PVC_LABEL_ENTRIES.filter(([, entry]) => entry.job.via !== 'policy-group');

/** Every PVC label of its own job at its first example, opted in and requesting an archive. */
const baseLabels: Record<string, string> = Object.fromEntries(
  OWN_JOB_ENTRIES.map(([id, entry]) => [keys[id], entry.examples[0]]),
);

function intentOf(labels: Record<string, string>): BackupIntent {
  const result = parseIntent({ namespace: NAMESPACE, name: 'data', labels }, defaultConfig);
  assert.equal(result.kind, 'opted-in', JSON.stringify(result));
  if (result.kind !== 'opted-in') throw new Error('not opted in');
  return result.intent;
}

test('the base PVC (every label at its first example) is opted in and asks for an archive', () => {
  const intent = intentOf(baseLabels);
  assert.notEqual(intent.archive, null);
  assert.deepEqual(intent.fromDefaults, []);
});

describe('every PVC label', () => {
  for (const [id, entry] of OWN_JOB_ENTRIES) {
    const key = keys[id];

    test(`${id}: both examples are valid, '!' is refused under one of its own codes`, () => {
      for (const example of entry.examples) {
        const result = parseIntent(
          { namespace: NAMESPACE, name: 'data', labels: { ...baseLabels, [key]: example } },
          defaultConfig,
        );
        assert.notEqual(result.kind, 'invalid', `${key}=${example}: ${JSON.stringify(result)}`);
      }
      assert.notEqual(entry.examples[0], entry.examples[1]);
      const refused = parseIntent(
        { namespace: NAMESPACE, name: 'data', labels: { ...baseLabels, [key]: '!' } },
        defaultConfig,
      );
      assert.equal(refused.kind, 'invalid');
      if (refused.kind !== 'invalid') return;
      const own = refused.violations.filter((violation) => violation.labelKey === key);
      assert.equal(own.length, 1);
      assert.ok(
        entry.conditions.includes(own[0]?.condition ?? 'missing_name'),
        `${own[0]?.condition} is not listed for ${id}`,
      );
    });

    test(`${id}: when missing, ${typeof entry.whenMissing === 'string' ? entry.whenMissing : 'checked'}`, () => {
      const labels = { ...baseLabels };
      delete labels[key];
      const result = parseIntent({ namespace: NAMESPACE, name: 'data', labels }, defaultConfig);
      if (entry.whenMissing === 'config-default') {
        const setting = id as SettingName;
        assert.ok(SETTING_NAMES.includes(setting));
        assert.equal(result.kind, 'opted-in');
        if (result.kind !== 'opted-in') return;
        assert.deepEqual(result.intent.fromDefaults, [setting]);
        assert.deepEqual(result.intent.settings[setting], defaultConfig.defaults[setting]);
        // The ConfigMap default goes through the same rule as the label.
        const parsed = parseConfig(`defaults:\n  ${id}: "${entry.examples[1]}"\n`);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        const viaRule = parseSetting(setting, entry.examples[1], defaultConfig.maxRetention);
        assert.ok(viaRule.ok);
        if (parsed.ok && viaRule.ok) assert.deepEqual(parsed.config.defaults[setting], viaRule.value);
        const bad = parseConfig(`defaults:\n  ${id}: "!"\n`);
        assert.equal(bad.ok, false);
        return;
      }
      assert.ok(!SETTING_NAMES.includes(id as SettingName));
      if (entry.whenMissing === 'optional') {
        assert.notEqual(result.kind, 'invalid');
        return;
      }
      // Required (here: every other label given, so the dependency of a conditional one holds).
      assert.equal(result.kind, 'invalid');
      if (result.kind !== 'invalid') return;
      const missing = result.violations.filter((violation) => violation.labelKey === key && violation.value === null);
      assert.equal(missing.length, 1);
      assert.ok(entry.conditions.includes(missing[0]?.condition ?? 'missing_name'));
    });

    test(`${id}: reaches the job as declared (${entry.job.via}) and the diff keeps it in line`, () => {
      if (entry.job.via === 'none') {
        // Its value decides whether there is a job at all, not what is in it.
        return;
      }
      const before = desiredRecurringJob(intentOf(baseLabels), defaultConfig);
      const changed = { ...baseLabels, [key]: entry.examples[1] };
      const after = desiredRecurringJob(intentOf(changed), defaultConfig);
      const { job } = entry;
      if (job.via === 'job-name') {
        assert.equal(after.metadata.name, jobNameFor(NAMESPACE, entry.examples[1]));
        assert.equal(after.spec.name, after.metadata.name);
        // Another name is another job: the reconciler finds it by name, there is nothing to diff.
        return;
      }
      const diff = diffRecurringJob(before, after, defaultConfig);
      assert.equal(diff.inSync, false, `${id}: the diff does not see the change`);
      if (diff.inSync) return;
      if (job.via === 'spec') {
        assert.notDeepEqual(after.spec[job.field], before.spec[job.field]);
        assert.deepEqual(diff.patch.spec?.[job.field], after.spec[job.field]);
        assert.deepEqual(Object.keys(diff.patch), ['spec']);
      }
      if (job.via === 'parameter') {
        assert.equal(after.spec.parameters[job.name], entry.examples[1]);
        assert.equal(diff.patch.spec?.parameters?.[job.name], entry.examples[1]);
      }
      if (job.via === 'label-while-archive-requested') {
        assert.ok(ownedJobLabels(P).includes(key));
        assert.equal(before.metadata.labels[key], entry.examples[0]);
        const expected = intentOf(changed).archive === null ? undefined : entry.examples[1];
        assert.equal(after.metadata.labels[key], expected);
        assert.equal(diff.patch.metadata?.labels?.[key], expected ?? null);
      }
    });
  }
});

describe('the policy label (via policy-group)', () => {
  const policyEntries = PVC_LABEL_ENTRIES.filter(([, entry]) => entry.job.via === 'policy-group');
  const config = withPolicies();
  const settingKeys = SETTING_NAMES.map((setting) => keys[setting]);
  const policyBase = Object.fromEntries(Object.entries(baseLabels).filter(([key]) => !settingKeys.includes(key)));
  const parse = (labels: Record<string, string>) => parseIntent({ namespace: NAMESPACE, name: 'data', labels }, config);

  test('there is one, optional, and its examples are the policies of the fixture', () => {
    assert.equal(policyEntries.length, 1);
    const [id, entry] = policyEntries[0] ?? [];
    assert.ok(id !== undefined && entry !== undefined);
    assert.equal(entry.whenMissing, 'optional');
    for (const example of entry.examples) {
      const result = parse({ ...policyBase, [keys[id]]: example });
      assert.equal(result.kind, 'opted-in', JSON.stringify(result));
      assert.equal(result.kind === 'opted-in' && result.intent.policy, example);
    }
    const refused = parse({ ...policyBase, [keys[id]]: '!' });
    assert.equal(refused.kind, 'invalid');
    assert.ok(
      refused.kind === 'invalid' &&
        refused.violations.every((violation) => entry.conditions.includes(violation.condition)),
    );
  });

  test('each schedule setting label with it is refused under its own key, under a policy code', () => {
    for (const key of settingKeys) {
      const result = parse({ ...policyBase, [keys.policy]: 'standard', [key]: baseLabels[key] ?? '' });
      assert.equal(result.kind, 'invalid');
      if (result.kind !== 'invalid') continue;
      assert.deepEqual(
        result.violations.map((violation) => [violation.labelKey, violation.condition]),
        [[key, 'policy_with_schedule_labels']],
      );
    }
  });
});

test("the condition codes are the PVC labels' codes, each listed once", () => {
  const listed = PVC_LABEL_ENTRIES.flatMap(([, entry]) => entry.conditions);
  assert.deepEqual([...CONDITION_CODES], listed);
  assert.equal(new Set(listed).size, listed.length);
});

test('the user-settable keys are exactly the PVC group', () => {
  assert.deepEqual(
    pvcLabelKeys(P),
    PVC_LABEL_ENTRIES.map(([id]) => keys[id]),
  );
});

test("the diff owns the desired job's labels and no other key of ours", () => {
  const desired = desiredRecurringJob(intentOf(baseLabels), defaultConfig);
  assert.deepEqual(new Set(ownedJobLabels(P)), new Set(Object.keys(desired.metadata.labels)));
  // Labels others of ours write on the job (the health state) are not the diff's to remove.
  assert.ok(!ownedJobLabels(P).includes(groupKeys('health', P).state));
});

const groups = Object.keys(LABEL_SCHEMA) as LabelGroup[];
const allKeys = groups.flatMap((group) => Object.values(groupKeys(group, P) as Readonly<Record<string, string>>));

test('every key of the table is unique and a valid label key under the prefix', () => {
  assert.equal(new Set(allKeys).size, allKeys.length);
  for (const key of allKeys) assert.match(key, /^backup\.vluwte\.nl\/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
});

test('the README documents every key of the table', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  const undocumented = allKeys
    .map((key) => key.replace(`${P}/`, '<p>/'))
    .filter((key) => !readme.includes(`\`${key}\``));
  assert.deepEqual(undocumented, []);
});
