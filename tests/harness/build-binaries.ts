import { spawn } from 'node:child_process';
import { buildScript } from './paths.ts';
import { DEFAULT_CELL } from './version-matrix.ts';

/**
 * Runs the cached build (a no-op when the binaries exist) and returns the directory holding them:
 * Kubernetes K8S_VERSION, default the default cell's.
 */
export function buildControlPlaneBinaries(): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, K8S_VERSION: process.env.K8S_VERSION ?? DEFAULT_CELL.kubernetes };
    const child = spawn('bash', [buildScript], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`control-plane build failed with exit code ${code} (see the messages above)`));
    });
  });
}
