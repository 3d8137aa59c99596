// Where the harness finds things. Paths relative to the repository root, whatever the cwd.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CELL } from './version-matrix.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Longhorn's CRD files per release (`crds-v<release>.yaml`): env LONGHORN_CRDS_DIR or the reference folder. */
export const longhornCrdsDir = resolve(repoRoot, process.env.LONGHORN_CRDS_DIR ?? '../shared/longhorn');
export const longhornCrdsFile = (longhornVersion: string): string =>
  join(longhornCrdsDir, `crds-v${longhornVersion}.yaml`);

/** The Longhorn release of the default cell, for messages. */
export const longhornVersion = `v${DEFAULT_CELL.longhorn}`;

/** Longhorn's own CRDs, never copied into the repo: env LONGHORN_CRDS or the default cell's file. */
export const longhornCrdsPath = process.env.LONGHORN_CRDS
  ? resolve(repoRoot, process.env.LONGHORN_CRDS)
  : longhornCrdsFile(DEFAULT_CELL.longhorn);

export const cacheDir =
  process.env.LBG_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'longhorn-backup-guard');

export const buildScript = join(repoRoot, 'tests', 'control-plane', 'build.sh');
