import { spawn } from 'node:child_process';
import { buildScript } from './paths.ts';

/** Runs the cached build (a no-op when the binaries exist) and returns the directory holding them. */
export function buildControlPlaneBinaries(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [buildScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`control-plane build failed with exit code ${code} (see the messages above)`));
    });
  });
}
