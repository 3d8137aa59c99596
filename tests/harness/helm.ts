// helm (built by tests/tools/helm.sh) against a test cluster, with a home of its own: no user's
// Helm configuration, cache or repositories take part; the release data lives in the cluster.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import type { KubectlResult } from './test-cluster.ts';

export const chartDir = join(repoRoot, 'charts', 'longhorn-backup-guard');

/** `helm <args> --kubeconfig <kubeconfigPath>` with HOME and Helm's directories under `home`. */
export function runHelm(binary: string, kubeconfigPath: string, home: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [...args, '--kubeconfig', kubeconfigPath],
      {
        maxBuffer: 32 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_DATA_HOME: join(home, 'data'),
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
