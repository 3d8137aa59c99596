// Runs the built executable as a user would: `longhorn-backup-guard …` through its npm bin, or
// `kubectl backup-guard …` through the built kubectl's plugin lookup (an executable named
// kubectl-backup_guard on PATH). Node 24 comes first on PATH, as npm scripts arrange.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../harness/paths.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const nodeBin = dirname(process.execPath);
export const cliBin = join(repoRoot, 'node_modules', '.bin');

function run(file: string, args: readonly string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        env: { ...process.env, ...env, PATH: `${nodeBin}:${env.PATH ?? process.env.PATH ?? ''}` },
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** `longhorn-backup-guard <args>` through node_modules/.bin, as `npx longhorn-backup-guard` runs it. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return run(join(cliBin, 'longhorn-backup-guard'), args, env, input);
}

/**
 * `kubectl backup-guard <args>` with the built kubectl, whose plugin lookup finds only what is on
 * PATH: a directory holding nothing but the `kubectl-backup_guard` link npm made.
 */
export async function runPlugin(
  kubectlPath: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<Run> {
  const pluginDir = await mkdtemp(join(tmpdir(), 'lbg-plugin-'));
  try {
    await symlink(join(cliBin, 'kubectl-backup_guard'), join(pluginDir, 'kubectl-backup_guard'));
    return await run(kubectlPath, ['backup-guard', ...args], { ...env, PATH: `${pluginDir}:/usr/bin:/bin` });
  } finally {
    await rm(pluginDir, { recursive: true, force: true });
  }
}
