// Where the harness finds things. Paths relative to the repository root, whatever the cwd.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Longhorn release whose CRDs the tests install. */
export const longhornVersion = 'v1.12.1';

/** Longhorn's own CRDs, never copied into the repo: env LONGHORN_CRDS or the reference folder. */
export const longhornCrdsPath = resolve(repoRoot, process.env.LONGHORN_CRDS ?? `../shared/longhorn/crds-${longhornVersion}.yaml`);

export const cacheDir = process.env.LBG_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'longhorn-backup-guard');

export const buildScript = join(repoRoot, 'tests', 'control-plane', 'build.sh');
