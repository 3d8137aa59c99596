// One cell of the version matrix (`npm run test:cell`; `npm test` runs two through tests/matrix.ts):
// build the control plane once (cached outside the repo), start one etcd + kube-apiserver for
// the whole run, run every test file with node's test runner against it, and stop it all
// afterwards, also on Ctrl-C or when a test fails. K8S_VERSION and LONGHORN_CRDS pick the cell
// (default: tests/harness/version-matrix.ts's DEFAULT_CELL).
//
//   node tests/run.ts                      every test
//   node tests/run.ts tests/unit/x.test.ts the named files only
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildControlPlaneBinaries } from './harness/build-binaries.ts';
import { ControlPlane } from './harness/control-plane.ts';
import { exitWithoutLonghornCrdsFile } from './harness/longhorn-crds-file.ts';
import { longhornCrdsPath, repoRoot } from './harness/paths.ts';

const files = process.argv.slice(2);
const patterns =
  files.length > 0 ? files : ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/node/**/*.test.ts'];
// Integration tests mostly wait on the apiserver, so more files than cores run at once.
const concurrency = process.env.LBG_TEST_CONCURRENCY ?? '4';
// tests/node (the product as shipped, as pods on a node of its own; it skips outside the default
// cell) runs after the others, alone: its pods' probes and CPU limits are real, and on 2 cores the
// integration tests beside it would starve them.
const isNodeSuite = (pattern: string) => pattern.startsWith('tests/node/');
const phases = [
  { patterns: patterns.filter((pattern) => !isNodeSuite(pattern)), concurrency },
  { patterns: patterns.filter(isNodeSuite), concurrency: '1' },
].filter((phase) => phase.patterns.length > 0);

exitWithoutLonghornCrdsFile();
const started = Date.now();
// promtool, hadolint and the Prometheus operator CRDs (idempotent). Where they cannot be installed
// (no root for apt-get), the tests that need them skip with a message, or fail under CI=true.
const tools = spawnSync('bash', [join(repoRoot, 'tests', 'tools', 'install.sh')], { stdio: 'inherit' });
if (tools.status !== 0) process.stderr.write('[tests] some test tools could not be installed (see above)\n');
const binDir = await buildControlPlaneBinaries();
const plane = await ControlPlane.start({ binDir, crdsPath: longhornCrdsPath });
process.stderr.write(
  `[tests] control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s (build check included)\n`,
);
process.stderr.write(`[tests] ${basename(binDir)}, Longhorn CRDs ${longhornCrdsPath}, Node ${process.version}\n`);

const clusterFile = join(plane.info.runDir, 'cluster.json');
writeFileSync(clusterFile, JSON.stringify(plane.info));
let running: ReturnType<typeof spawn> | undefined;
// On Ctrl-C or SIGTERM the test processes get the signal too (they stop what they started); the
// control plane stops itself on the same signal.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    running?.kill(signal);
  });
}
let code = 0;
for (const phase of phases) {
  if (stopping) break;
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${phase.concurrency}`, ...phase.patterns], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, LBG_TEST_CLUSTER: clusterFile },
  });
  running = child;
  const phaseCode = await new Promise<number>((resolve) => {
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1)));
  });
  code = Math.max(code, phaseCode);
}
await plane.stop();
process.exit(code);
