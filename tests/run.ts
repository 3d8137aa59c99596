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
// tests/node: the product as shipped, as pods on a node of its own (it skips outside the default cell).
const patterns =
  files.length > 0 ? files : ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/node/**/*.test.ts'];
// Integration tests mostly wait on the apiserver, so more files than cores run at once.
const concurrency = process.env.LBG_TEST_CONCURRENCY ?? '4';

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
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...patterns], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, LBG_TEST_CLUSTER: clusterFile },
});
// On Ctrl-C or SIGTERM the test processes get the signal too (they stop what they started); the
// control plane stops itself on the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    child.kill(signal);
  });
}
const code = await new Promise<number>((resolve) => {
  child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1)));
});
await plane.stop();
process.exit(code);
