// The suite on cells of the version matrix (tests/harness/version-matrix.ts), one cell after the
// other, each with its own control plane (tests/run.ts with K8S_VERSION and LONGHORN_CRDS set):
//
//   node tests/matrix.ts diagonal   `npm test` and CI: Kubernetes 1.37 + Longhorn 1.12 with every
//                                   test, then 1.35 + 1.11 with the integration tests
//   node tests/matrix.ts all        `npm run test:matrix`: the four cells
//
// Unit tests run on the first cell only: they never touch the cluster, so a second run would prove
// nothing new. Every cell runs even when one fails; the summary says which failed and how long each took.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { longhornCrdsFile, repoRoot } from './harness/paths.ts';
import { ALL_CELLS, DIAGONAL, describeCell, type Cell } from './harness/version-matrix.ts';

// The node suite (tests/node: the product as shipped, as pods on a node) runs in the first cell only.
const EVERY_TEST = ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/node/**/*.test.ts'];
const INTEGRATION_TESTS = ['tests/integration/**/*.test.ts'];

const which = process.argv[2];
const cells = which === 'all' ? ALL_CELLS : which === 'diagonal' ? DIAGONAL : undefined;
if (!cells) {
  process.stderr.write('usage: node tests/matrix.ts diagonal|all\n');
  process.exit(2);
}

let stopping = false;
let running: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    running?.kill(signal);
  });
}

function runCell(cell: Cell, patterns: readonly string[]): Promise<number> {
  // ETCD_VERSION is left to build.sh: the etcd upstream tests that Kubernetes release with.
  const { ETCD_VERSION: _etcd, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(repoRoot, 'tests', 'run.ts'), ...patterns], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...inherited, K8S_VERSION: cell.kubernetes, LONGHORN_CRDS: longhornCrdsFile(cell.longhorn) },
  });
  running = child;
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

const results: { cell: Cell; tests: string; code: number; seconds: number }[] = [];
for (const [i, cell] of cells.entries()) {
  if (stopping) break;
  const patterns = i === 0 ? EVERY_TEST : INTEGRATION_TESTS;
  const tests = i === 0 ? 'unit + integration' : 'integration';
  process.stderr.write(`\n[matrix] cell ${i + 1}/${cells.length}: ${describeCell(cell)} (${tests} tests)\n`);
  const started = Date.now();
  const code = await runCell(cell, patterns);
  results.push({ cell, tests, code, seconds: (Date.now() - started) / 1000 });
}

process.stderr.write('\n[matrix] summary\n');
for (const { cell, tests, code, seconds } of results) {
  const minutes = `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  process.stderr.write(
    `[matrix]   ${code === 0 ? 'pass' : `FAIL (exit ${code})`}  ${describeCell(cell)}  ${tests}  ${minutes}\n`,
  );
}
const failed = results.some(({ code }) => code !== 0) || results.length < cells.length;
process.exit(failed ? 1 : 0);
