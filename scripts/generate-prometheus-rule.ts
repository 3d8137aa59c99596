// Makes manifests/monitoring/prometheus-rule.yaml (a Prometheus operator PrometheusRule) from the
// plain rules file manifests/monitoring/alert-rules.yaml, so the rules have one hand-edited copy,
// and copies that file into the Helm chart (charts/longhorn-backup-guard/files/alert-rules.yaml:
// a chart reads only its own files), whose PrometheusRule template embeds it.
//
//   node scripts/generate-prometheus-rule.ts          rewrite the PrometheusRule
//   node scripts/generate-prometheus-rule.ts --check  exit 1 when it is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, parseDocument } from 'yaml';

const monitoringDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'manifests', 'monitoring');
export const alertRulesPath = join(monitoringDir, 'alert-rules.yaml');
export const prometheusRulePath = join(monitoringDir, 'prometheus-rule.yaml');
export const chartAlertRulesPath = resolve(
  monitoringDir,
  '..',
  '..',
  'charts',
  'longhorn-backup-guard',
  'files',
  'alert-rules.yaml',
);

const header = `# GENERATED from alert-rules.yaml by \`node scripts/generate-prometheus-rule.ts\`: do not edit.
# A Prometheus selects PrometheusRules by label (kube-prometheus-stack: release: <its release>);
# add the label yours selects with a kustomize patch or \`labels:\` in an overlay.
`;

/** The PrometheusRule YAML holding the groups (with their comments) of a plain rules file. */
export function prometheusRuleYaml(alertRulesText: string): string {
  const source = parseDocument(alertRulesText);
  if (source.errors.length > 0)
    throw new Error(`alert rules are not valid YAML: ${source.errors.map((e) => e.message).join('; ')}`);
  const groups = source.get('groups', true);
  if (groups === undefined) throw new Error('the alert rules have no groups');
  const rule = new Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'longhorn-backup-guard',
      namespace: 'longhorn-backup-guard',
      labels: { 'app.kubernetes.io/name': 'longhorn-backup-guard', 'app.kubernetes.io/component': 'monitoring' },
    },
    spec: {},
  });
  rule.setIn(['spec', 'groups'], groups);
  return header + rule.toString({ lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = readFileSync(alertRulesPath, 'utf8');
  const outputs = [
    { path: prometheusRulePath, wanted: prometheusRuleYaml(source) },
    { path: chartAlertRulesPath, wanted: source },
  ];
  if (process.argv.includes('--check')) {
    const stale = outputs.filter(({ path, wanted }) => readFileSync(path, 'utf8') !== wanted);
    for (const { path } of stale)
      process.stderr.write(`${path} is out of date: run node scripts/generate-prometheus-rule.ts\n`);
    if (stale.length > 0) process.exit(1);
  } else {
    for (const { path, wanted } of outputs) {
      writeFileSync(path, wanted);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
}
