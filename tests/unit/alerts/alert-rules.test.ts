// The shipped alert rules: promtool accepts them and its unit tests pass (every alert fires on its
// condition and stays silent otherwise, alert-rules.promtool.yaml); every violation condition code
// reaches exactly one alert; every alert carries its runbook; the PrometheusRule is generated
// from the plain rules file and up to date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { CONDITION_CODES } from '@longhorn-backup-guard/shared/intent/violation';
import { alertRulesPath, prometheusRulePath, prometheusRuleYaml } from '../../../scripts/generate-prometheus-rule.ts';
import { repoRoot } from '../../harness/paths.ts';
import { findPromtool, haveTool } from '../../tools/tools.ts';
import { githubAnchors } from './github-anchors.ts';

const run = promisify(execFile);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const rulesText = await readFile(alertRulesPath, 'utf8');
const rules = (parse(rulesText) as RuleFile).groups.flatMap((group) => group.rules);
const promtoolTests = join(repoRoot, 'tests', 'unit', 'alerts', 'alert-rules.promtool.yaml');

/** The alert each violation condition code must raise; codes added later fall to InvalidLabels. */
const LABEL_ALERTS = ['BackupPVCUnlabelled', 'BackupPVCInvalidLabels', 'BackupPVCNameConflict'] as const;
function expectedAlertFor(condition: string): (typeof LABEL_ALERTS)[number] {
  if (condition === 'missing_enabled_label') return 'BackupPVCUnlabelled';
  if (condition === 'duplicate_name' || condition === 'job_name_conflict') return 'BackupPVCNameConflict';
  return 'BackupPVCInvalidLabels';
}
// job_name_conflict is reported by the reconciler only, so it is not among the shared model's codes.
const conditionCodes = [...new Set([...CONDITION_CODES, 'job_name_conflict'])];

async function runPromtool(promtool: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args, { cwd: repoRoot });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}

test('promtool check rules accepts the alert rules', async (t) => {
  const promtool = await findPromtool();
  if (!haveTool(t, 'promtool', promtool)) return;
  const { code, output } = await runPromtool(promtool, ['check', 'rules', alertRulesPath]);
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

test('promtool test rules: each alert fires on its condition and stays silent otherwise', async (t) => {
  const promtool = await findPromtool();
  if (!haveTool(t, 'promtool', promtool)) return;
  const { code, output } = await runPromtool(promtool, ['test', 'rules', promtoolTests]);
  assert.equal(code, 0, output);
  assert.match(output, /SUCCESS/);
  // Every alert is named by at least one firing case in the test file.
  const cases = (
    parse(await readFile(promtoolTests, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    }
  ).tests.flatMap((group) => group.alert_rule_test ?? []);
  for (const rule of rules) {
    assert.ok(
      cases.some((c) => c.alertname === rule.alert && c.exp_alerts.length > 0),
      `no case where ${rule.alert} fires`,
    );
    assert.ok(
      cases.some((c) => c.alertname === rule.alert && c.exp_alerts.length === 0),
      `no case where ${rule.alert} stays silent`,
    );
  }
});

test('every violation condition code raises exactly one of the three label alerts', async (t) => {
  const promtool = await findPromtool();
  if (!haveTool(t, 'promtool', promtool)) return;
  // The alerts' own expressions, evaluated by promtool on one violating PVC per condition code.
  const pvcOf = (condition: string) => condition.replaceAll('_', '-');
  const promqlTests = LABEL_ALERTS.map((alert) => {
    const rule = rules.find((r) => r.alert === alert);
    assert.ok(rule, `${alert} is missing`);
    return {
      expr: rule.expr,
      eval_time: '1m',
      exp_samples: conditionCodes
        .filter((code) => expectedAlertFor(code) === alert)
        .map((code) => ({
          labels:
            alert === 'BackupPVCUnlabelled'
              ? `{namespace="apps", pvc="${pvcOf(code)}"}`
              : `{condition="${code}", namespace="apps", pvc="${pvcOf(code)}"}`,
          value: 1,
        })),
    };
  });
  const testFile = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: conditionCodes.map((code) => ({
          series: `backup_pvc_violation{condition="${code}", namespace="apps", pvc="${pvcOf(code)}", job="longhorn-backup-guard-reconciler"}`,
          values: '1x5',
        })),
        promql_expr_test: promqlTests,
      },
    ],
  };
  const dir = await mkdtemp(join(tmpdir(), 'lbg-alert-routing-'));
  try {
    const file = join(dir, 'routing.yaml');
    await writeFile(file, stringify(testFile));
    const { code, output } = await runPromtool(promtool, ['test', 'rules', file]);
    assert.equal(code, 0, output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every alert has a severity, a for duration, a summary, a description and a runbook that exists', async () => {
  const readme = await readFile(join(repoRoot, 'manifests', 'README.md'), 'utf8');
  const anchors = githubAnchors(readme);
  const names = rules.map((rule) => rule.alert);
  assert.deepEqual(new Set(names).size, names.length, 'alert names are unique');
  for (const name of [
    ...LABEL_ALERTS,
    'BackupJobOrphaned',
    'BackupArchiveReady',
    'BackupArchiveExpired',
    'BackupArchiveFailed',
    'BackupReconcilerDown',
    'BackupReconcilerNoLeader',
    'BackupReconcileErrors',
    'BackupWebhookErrors',
    'BackupConfigInvalid',
  ]) {
    assert.ok(names.includes(name), `alert ${name} is missing`);
  }
  for (const rule of rules) {
    assert.match(rule.labels?.severity ?? '', /^(info|warning|critical)$/, `${rule.alert} severity`);
    assert.match(rule.for ?? '', /^\d+m$/, `${rule.alert} for`);
    assert.ok(rule.annotations?.summary, `${rule.alert} summary`);
    assert.ok(rule.annotations?.description, `${rule.alert} description`);
    const url = rule.annotations?.runbook_url ?? '';
    const anchor = `runbook-${rule.alert.toLowerCase()}`;
    assert.equal(url, `https://github.com/vluwte/longhorn-backup-guard/blob/main/manifests/README.md#${anchor}`);
    assert.ok(anchors.has(anchor), `manifests/README.md has no heading for #${anchor}`);
  }
  assert.equal(rules.find((rule) => rule.alert === 'BackupArchiveReady')?.labels?.severity, 'info');
});

test('the PrometheusRule is generated from alert-rules.yaml and up to date', async () => {
  const committed = await readFile(prometheusRulePath, 'utf8');
  assert.equal(committed, prometheusRuleYaml(rulesText), 'run: node scripts/generate-prometheus-rule.ts');
  const rule = parse(committed) as { apiVersion: string; kind: string; spec: RuleFile };
  assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
  assert.equal(rule.kind, 'PrometheusRule');
  assert.deepEqual(rule.spec.groups, (parse(rulesText) as RuleFile).groups);
});
