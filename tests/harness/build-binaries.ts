import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildScript, repoRoot } from './paths.ts';
import { DEFAULT_CELL } from './version-matrix.ts';

/**
 * Runs a cached build script (a no-op when what it builds exists), its progress on stderr, and
 * returns the last line it printed: Kubernetes K8S_VERSION, default the default cell's.
 */
export function runCachedBuild(script: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, K8S_VERSION: process.env.K8S_VERSION ?? DEFAULT_CELL.kubernetes };
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`${what} failed with exit code ${code} (see the messages above)`));
    });
  });
}

const lastLine = (text: string): string => text.split('\n').at(-1) ?? '';

/** The directory holding kube-apiserver, kubectl and etcd (tests/control-plane/build.sh). */
export async function buildControlPlaneBinaries(): Promise<string> {
  return lastLine(await runCachedBuild(buildScript, 'control-plane build'));
}

/** The directory holding kubelet, kube-controller-manager and kube-scheduler (tests/node/build.sh). */
export async function buildNodeBinaries(): Promise<string> {
  return lastLine(await runCachedBuild(join(repoRoot, 'tests', 'node', 'build.sh'), 'node build'));
}
