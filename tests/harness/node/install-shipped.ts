// Installs the product exactly as shipped (`kubectl apply -k manifests/core`) on a cluster with a
// node: a kustomize overlay of the run's own overrides only the image references, to the images
// built here from the Dockerfiles (their pull policy, IfNotPresent, finds them on the node).
import { writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../paths.ts';
import type { TestCluster } from '../test-cluster.ts';
import { imageOf, type BuiltImage } from './images.ts';

export const PRODUCT_NAMESPACE = 'longhorn-backup-guard';
export const LONGHORN_NAMESPACE = 'longhorn-system';
export const WEBHOOK_DEPLOYMENT = 'longhorn-backup-guard-webhook';
export const RECONCILER_DEPLOYMENT = 'longhorn-backup-guard-reconciler';

/** `newName:newTag` of a built reference (localhost/<name>:<tag>). */
function splitReference(reference: string): { newName: string; newTag: string } {
  const colon = reference.lastIndexOf(':');
  return { newName: reference.slice(0, colon), newTag: reference.slice(colon + 1) };
}

/** `dir`: where the overlay is written (kustomize takes its bases by relative path only). */
export function overlayKustomization(images: readonly BuiltImage[], dir: string): string {
  const image = (component: string) => {
    const { newName, newTag } = splitReference(imageOf(images, component).reference);
    return `  - name: ghcr.io/vluwte/longhorn-backup-guard-${component}\n    newName: ${newName}\n    newTag: "${newTag}"\n`;
  };
  return (
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
    `resources:\n  - ${relative(dir, join(repoRoot, 'manifests', 'core'))}\n` +
    `images:\n${image('webhook')}${image('reconciler')}`
  );
}

/** Applies the shipped manifests and waits for both Deployments to be rolled out. */
export async function installShipped(cluster: TestCluster, images: readonly BuiltImage[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'kustomization.yaml'), overlayKustomization(images, dir));
  // The reconciler's Role lives in Longhorn's namespace: Longhorn would have made it.
  await cluster.kubectl(['create', 'namespace', LONGHORN_NAMESPACE]);
  const applied = await cluster.kubectl(['apply', '-k', dir]);
  if (applied.code !== 0) throw new Error(`kubectl apply -k failed: ${applied.stderr}`);
  await waitForRollouts(cluster);
}

/** Waits for both Deployments to be rolled out (their pods Ready), or throws with what went wrong. */
export async function waitForRollouts(cluster: TestCluster): Promise<void> {
  for (const deployment of [WEBHOOK_DEPLOYMENT, RECONCILER_DEPLOYMENT]) {
    const rolled = await cluster.kubectl([
      'rollout',
      'status',
      `deployment/${deployment}`,
      '-n',
      PRODUCT_NAMESPACE,
      '--timeout=360s', // the startup probes allow 5 minutes
    ]);
    if (rolled.code !== 0) {
      throw new Error(`deployment ${deployment} did not roll out: ${rolled.stderr}\n${await diagnose(cluster)}`);
    }
  }
}

/** What a person needs to see when the pods do not come up: their state and the recent Events. */
async function diagnose(cluster: TestCluster): Promise<string> {
  const pods = await cluster.kubectl(['get', 'pods', '-A', '-o', 'wide']);
  const events = await cluster.kubectl(['get', 'events', '-A', '--sort-by=.lastTimestamp']);
  return `${pods.stdout}${events.stdout.split('\n').slice(-40).join('\n')}`;
}
