// Start-up cost of each component's code (issue 13): the modules its main.ts imports, loaded in a
// fresh Node process with no cluster; then a full GC. Prints import time, RSS and live heap per
// component, medians of --runs, beside a bare Node process, and, with --before <dir> (another
// checkout, e.g. `git archive <commit> | tar -x -C <dir>` with node_modules linked to this one's),
// the same for that tree in the same run, alternating, as ratios after / before.
//   node bench/start/run.ts [--before /tmp/lbg-base] [--runs 7]
// Only measures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median } from '../lib/percentiles.ts';
import { markdownTable, ms, ratio } from '../lib/table.ts';

const { values: flags } = parseArgs({
  options: { before: { type: 'string' }, runs: { type: 'string', default: '7' } },
});
const runs = Number(flags.runs);
const here = resolve(import.meta.dirname, '../..');

/** What each main.ts imports (its own imports, in its order). */
const components: Readonly<Record<string, readonly string[]>> = {
  bare: [],
  webhook: [
    'certs/src/certificate-manager.ts',
    'shared/src/config/guard-config.ts',
    'shared/src/kube/load-kube-config.ts',
    'shared/src/logging/create-logger.ts',
    'webhook/src/config/config-file.ts',
    'shared/src/config/config-source.ts',
    'webhook/src/environment.ts',
    'webhook/src/start-webhook.ts',
  ],
  reconciler: [
    'shared/src/kube/load-kube-config.ts',
    'shared/src/logging/create-logger.ts',
    'shared/src/config/invalid-configuration-error.ts',
    'reconciler/src/start-reconciler.ts',
  ],
};

interface Sample {
  importMs: number;
  rssMiB: number;
  heapMiB: number;
}

function sample(tree: string, modules: readonly string[]): Sample {
  const script = `
const started = performance.now();
for (const module of ${JSON.stringify(modules.map((module) => join(tree, module)))}) await import(module);
const importMs = performance.now() - started;
globalThis.gc();
const { rss, heapUsed } = process.memoryUsage();
console.log(JSON.stringify({ importMs, rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20 }));`;
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: tree,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`${tree}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Sample;
}

const trees: Readonly<Record<string, string>> =
  flags.before === undefined ? { after: here } : { before: resolve(flags.before), after: here };
console.log(`# start-up: ${describeMachine()}`);
console.log(`# ${loadSummary()} at start; ${runs} runs each, alternating trees`);
const samples = new Map<string, Sample[]>();
for (let run = 0; run < runs; run++)
  for (const [component, modules] of Object.entries(components))
    for (const [name, tree] of Object.entries(trees)) {
      const key = `${component} ${name}`;
      samples.set(key, [...(samples.get(key) ?? []), sample(tree, modules)]);
    }
console.log(`# ${loadSummary()} at the end`);

const medianOf = (key: string, field: keyof Sample): number => median((samples.get(key) ?? []).map((s) => s[field]));
const rows = [...samples.keys()].map((key) => [
  key,
  ms(medianOf(key, 'importMs')),
  medianOf(key, 'rssMiB').toFixed(1),
  medianOf(key, 'heapMiB').toFixed(1),
]);
console.log(markdownTable(['component tree', 'import ms (median)', 'RSS MiB after GC', 'heap used MiB'], rows));
if (flags.before !== undefined) {
  const ratios = Object.keys(components)
    .filter((component) => component !== 'bare')
    .map((component) => [
      component,
      ratio(medianOf(`${component} after`, 'importMs'), medianOf(`${component} before`, 'importMs')),
      ratio(medianOf(`${component} after`, 'rssMiB'), medianOf(`${component} before`, 'rssMiB')),
      ratio(medianOf(`${component} after`, 'heapMiB'), medianOf(`${component} before`, 'heapMiB')),
    ]);
  console.log(markdownTable(['after / before', 'import time', 'RSS', 'heap'], ratios));
}
