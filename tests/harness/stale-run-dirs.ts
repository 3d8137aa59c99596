import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './process-control.ts';

/**
 * A run killed with SIGKILL leaves its processes and files: the next start stops and removes every
 * run directory `<tmp>/<prefix>*` whose owner (owner.pid) is gone.
 */
export async function removeStaleRunDirs(
  prefix: string,
  stop: (dir: string) => Promise<void>,
  log: (m: string) => void,
): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => '0'));
    if (owner > 0 && isAlive(owner)) continue;
    log(`removing the leftovers of an interrupted run in ${dir}`);
    await stop(dir);
  }
}
