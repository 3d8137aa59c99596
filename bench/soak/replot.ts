// The plot and the verdicts of a soak run again, from its CSV (e.g. after the plot changed):
//   node bench/soak/replot.ts <csv> [--warmup-minutes 10] [--caption "<text>"]
// Writes the SVG beside the CSV and prints the slopes.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { shippedContainer } from '../../tests/harness/shipped-deployment.ts';
import { readSoakCsv, soakPanels, soakTrends } from './soak-report.ts';
import { plotSvg } from './svg-plot.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'warmup-minutes': { type: 'string', default: '10' }, caption: { type: 'string' } },
});
const csvPath = positionals[0];
if (csvPath === undefined || !csvPath.endsWith('.csv')) throw new Error('usage: replot.ts <soak CSV> [options]');
const rows = readSoakCsv(readFileSync(csvPath, 'utf8'));
const limits = {
  reconciler: shippedContainer('reconciler').memoryLimitMiB,
  webhook: shippedContainer('webhook').memoryLimitMiB,
};
const svgPath = csvPath.replace(/\.csv$/, '.svg');
writeFileSync(svgPath, plotSvg(values.caption ?? `soak ${csvPath}`, soakPanels(rows, limits)));
process.stdout.write(`SVG ${svgPath}\n\n${soakTrends(rows, Number(values['warmup-minutes']))}`);
