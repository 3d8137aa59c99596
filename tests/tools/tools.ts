// How tests reach the tools tests/tools/install.sh installs. Finding a tool installs nothing; a
// missing tool skips the test with the command that installs it, except under CI=true, where the
// test fails (CI must run the installer; a silent skip would hide a check that never ran).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../harness/paths.ts';
import type { TestCluster } from '../harness/test-cluster.ts';

const run = promisify(execFile);
const toolsDir = join(repoRoot, 'tests', 'tools');

async function script(name: string, args: string[] = []): Promise<string | undefined> {
  try {
    const { stdout } = await run('bash', [join(toolsDir, name), ...args], { maxBuffer: 1024 * 1024 });
    return stdout.trim().split('\n').at(-1) || undefined;
  } catch {
    return undefined;
  }
}

/** The promtool binary, if installed. */
export function findPromtool(): Promise<string | undefined> {
  return script('promtool.sh', ['--find']);
}

/** The hadolint binary, if installed. */
export function findHadolint(): Promise<string | undefined> {
  return script('hadolint.sh', ['--find']);
}

/** The helm binary, if built (tests/tools/helm.sh builds it from the Go module proxy). */
export function findHelm(): Promise<string | undefined> {
  return script('helm.sh', ['--find']);
}

/**
 * The cron oracle (robfig/cron v3.0.1, tests/tools/cron-oracle), built into the cache from the Go
 * module proxy on first use; undefined where it cannot be built (no Go).
 */
export function cronOracle(): Promise<string | undefined> {
  return script('cron-oracle.sh');
}

/**
 * The directory holding the Prometheus operator's PrometheusRule and ServiceMonitor CRDs, fetched
 * into the cache from the Go module proxy on first use (like the control-plane binaries).
 */
export async function prometheusOperatorCrdsDir(): Promise<string> {
  const { stdout } = await run('bash', [join(toolsDir, 'prometheus-operator-crds.sh')], { maxBuffer: 1024 * 1024 });
  const dir = stdout.trim().split('\n').at(-1);
  if (!dir) throw new Error('tests/tools/prometheus-operator-crds.sh printed no directory');
  return dir;
}

/** Applies the Prometheus operator's CRDs (server-side: they are too large for kubectl's annotation). */
export async function applyPrometheusOperatorCrds(cluster: TestCluster): Promise<void> {
  const crdsDir = await prometheusOperatorCrdsDir();
  for (const file of (await readdir(crdsDir)).filter((f) => f.endsWith('.yaml'))) {
    const applied = await cluster.kubectl(['apply', '--server-side', '-f', join(crdsDir, file)]);
    if (applied.code !== 0) throw new Error(`kubectl apply ${file} failed: ${applied.stderr}`);
  }
}

/**
 * True when `path` is set. Otherwise skips the test (fails it under CI=true) with a message that
 * names the installer, and returns false.
 */
export function haveTool(t: TestContext, name: string, path: string | undefined): path is string {
  if (path !== undefined) return true;
  const message = `${name} is not installed: run \`bash tests/tools/install.sh\``;
  if (process.env.CI === 'true') assert.fail(`${message} (CI=true: a missing tool fails the run)`);
  t.skip(message);
  return false;
}
