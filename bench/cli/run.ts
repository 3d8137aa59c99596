// `check` benchmark: the executable on 1,000 PVC documents, end to end (process start, reading,
// parsing, judging, printing), beside a baseline process that only starts Node and parses the same
// YAML, in the same run, taking turns. The issue asks for under a second.
//   node bench/cli/run.ts [--pvcs 1000] [--rounds 7]
// Prints a Markdown table (for BENCHMARKS.md). Performance is never asserted: this only measures.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { checkManifests } from '@longhorn-backup-guard/cli/check/check-manifests';
import { manifestObjects } from '@longhorn-backup-guard/cli/check/manifest-objects';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median } from '../lib/percentiles.ts';
import { markdownTable, ms, ratio } from '../lib/table.ts';

const { values: flags } = parseArgs({
  options: { pvcs: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '7' } },
});
const pvcs = Number(flags.pvcs);
const rounds = Number(flags.rounds);
const here = import.meta.dirname;
const cli = join(here, '..', '..', 'cli', 'bin', 'longhorn-backup-guard.ts');
const P = 'backup.vluwte.nl';

function pvc(index: number, namespace: string, labels: Record<string, string>): string {
  const lines = Object.entries(labels)
    .map(([key, value]) => `    ${P}/${key}: "${value}"`)
    .join('\n');
  return `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data-${index}\n  namespace: ${namespace}\n  labels:\n${lines}\n    app.kubernetes.io/name: app-${index}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: longhorn\n  resources:\n    requests:\n      storage: 10Gi\n`;
}

const inputs = {
  // One namespace: every PVC's duplicate-name check looks at the 999 others.
  'clean, one namespace': (index: number) =>
    pvc(index, 'shop', { enabled: 'true', name: `db-${index}`, retain: '14', interval: '6', start: '0100' }),
  'clean, 50 namespaces': (index: number) => pvc(index, `team-${index % 50}`, { enabled: 'true', interval: '6' }),
  'every PVC with 3 violations': (index: number) =>
    pvc(index, 'shop', { enabled: 'true', name: `db-${index}`, interval: '5', start: '2460', retain: '0' }),
} as const;

function timeProcess(args: readonly string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args], { maxBuffer: 256 * 1024 * 1024 }, (error) => {
      // check exits 1 when it finds violations: that is a result, not a failure.
      if (error !== null && error.code !== 1) reject(new Error(`${args.join(' ')} failed`, { cause: error }));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/** In this process: parsing (with positions) and judging apart, so the rule code's own cost shows. */
function timeInProcess(text: string): { parseMs: number; judgeMs: number } {
  const started = performance.now();
  const { objects } = manifestObjects({ name: 'bench.yaml', text });
  const parsed = performance.now();
  checkManifests(objects, {
    config: defaultConfig,
    namespace: null,
    storageClasses: [],
    namespacePolicies: new Map(),
    now: new Date(),
  });
  return { parseMs: parsed - started, judgeMs: performance.now() - parsed };
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const dir = await mkdtemp(join(tmpdir(), 'lbg-bench-cli-'));
try {
  const rows: string[][] = [];
  for (const [name, make] of Object.entries(inputs)) {
    const path = join(dir, `${name.replace(/[^a-z0-9]+/g, '-')}.yaml`);
    const text = Array.from({ length: pvcs }, (_, index) => make(index)).join('---\n');
    await writeFile(path, text);
    const check: number[] = [];
    const baseline: number[] = [];
    const parse: number[] = [];
    const judge: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always meets a warm or a cold cache.
      const order = round % 2 === 0 ? ['check', 'baseline'] : ['baseline', 'check'];
      for (const which of order) {
        if (which === 'check') check.push(await timeProcess([cli, 'check', path, '-o', 'json']));
        else baseline.push(await timeProcess([join(here, 'yaml-only.ts'), path]));
      }
      const inProcess = timeInProcess(text);
      parse.push(inProcess.parseMs);
      judge.push(inProcess.judgeMs);
      log(`${name}: round ${round + 1}/${rounds}`);
    }
    const [checkMs, baselineMs] = [median(check), median(baseline)];
    const range = (samples: number[]) => `${ms(Math.min(...samples))}-${ms(Math.max(...samples))}`;
    rows.push([
      name,
      String(pvcs),
      `${ms(checkMs)} (${range(check)})`,
      `${ms(baselineMs)} (${range(baseline)})`,
      ratio(checkMs, baselineMs),
      ms(median(parse)),
      ms(median(judge)),
      ratio(median(judge), median(parse)),
    ]);
  }
  process.stdout.write(`Machine: ${describeMachine()}; ${loadSummary()}; ${new Date().toISOString()}\n`);
  process.stdout.write(
    `Command: node bench/cli/run.ts --pvcs ${pvcs} --rounds ${rounds} (median of the rounds, range beside it)\n\n`,
  );
  process.stdout.write(
    `${markdownTable(['input', 'PVC documents', 'check process, ms', 'baseline process (Node + YAML parse), ms', 'check / baseline', 'in-process parse, ms', 'in-process judge, ms', 'judge / parse'], rows)}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
