// The Helm chart's generated parts are current: its values table (from values.yaml and
// values.schema.json) and its copy of the alert rules (a chart reads only its own files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, chartReadmePath, valuesTable, withValuesTable } from '../../../scripts/generate-chart-readme.ts';
import { alertRulesPath, chartAlertRulesPath } from '../../../scripts/generate-prometheus-rule.ts';

const valuesText = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
const schemaText = readFileSync(join(chartDir, 'values.schema.json'), 'utf8');

test('the chart README lists every value with its default and description', () => {
  const readme = readFileSync(chartReadmePath, 'utf8');
  assert.equal(
    readme,
    withValuesTable(readme, valuesTable(valuesText, schemaText)),
    'run: node scripts/generate-chart-readme.ts',
  );
});

test('the values table refuses a value the schema does not describe', () => {
  assert.throws(
    () => valuesTable(`${valuesText}\nsurprise: 1\n`, schemaText),
    /surprise is not in values\.schema\.json/,
  );
  const schema = JSON.parse(schemaText) as { properties: Record<string, { description?: string }> };
  delete schema.properties.commonLabels?.description;
  assert.throws(() => valuesTable(valuesText, JSON.stringify(schema)), /commonLabels has no description/);
});

test("the chart's alert rules are manifests/monitoring/alert-rules.yaml", () => {
  assert.equal(
    readFileSync(chartAlertRulesPath, 'utf8'),
    readFileSync(alertRulesPath, 'utf8'),
    'run: node scripts/generate-prometheus-rule.ts',
  );
});
