// Installs the product with its Helm chart as the chart's README tells users to: the release
// namespace made and labelled for the restricted Pod Security Standard, the Prometheus operator's
// CRDs in place (the chart's monitoring objects are on by default), `helm install` with only the
// images set (to the ones built here) and their pull policy (Never: the node runs what it holds).
import { mkdir } from 'node:fs/promises';
import { chartDir, runHelm } from '../helm.ts';
import type { KubectlResult, TestCluster } from '../test-cluster.ts';
import { applyPrometheusOperatorCrds } from '../../tools/tools.ts';
import { imageOf, type BuiltImage } from './images.ts';
import { PRODUCT_NAMESPACE, waitForRollouts } from './install-shipped.ts';

export const RELEASE = 'longhorn-backup-guard';

/** The chart's values for the built images: repository and tag of each, pull policy Never. */
export function imageValues(images: readonly BuiltImage[]): string[] {
  return ['webhook', 'reconciler'].flatMap((component) => {
    const reference = imageOf(images, component).reference;
    const colon = reference.lastIndexOf(':');
    return [
      `images.${component}.repository=${reference.slice(0, colon)}`,
      `images.${component}.tag=${reference.slice(colon + 1)}`,
      `images.${component}.pullPolicy=Never`,
    ].flatMap((value) => ['--set', value]);
  });
}

export interface ChartInstall {
  /** helm with the cluster's kubeconfig and a home of its own. */
  helm(args: string[]): Promise<KubectlResult>;
}

/** `helm install` into a cluster whose Longhorn namespace exists; waits for both Deployments. */
export async function installChart(
  cluster: TestCluster,
  images: readonly BuiltImage[],
  helmBinary: string,
  home: string,
  log: (message: string) => void,
): Promise<ChartInstall> {
  let started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  await mkdir(home, { recursive: true });
  const helm = (args: string[]) => runHelm(helmBinary, cluster.info.kubeconfigPath, home, args);
  await applyPrometheusOperatorCrds(cluster);
  for (const step of [
    ['create', 'namespace', PRODUCT_NAMESPACE],
    ['label', 'namespace', PRODUCT_NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted'],
  ]) {
    const done = await cluster.kubectl(step);
    if (done.code !== 0) throw new Error(`kubectl ${step.join(' ')} failed: ${done.stderr}`);
  }
  log(`helm install: the Prometheus operator's CRDs and the namespace in ${took()}`);
  started = Date.now();
  const installed = await helm([
    'install',
    RELEASE,
    chartDir,
    '--namespace',
    PRODUCT_NAMESPACE,
    ...imageValues(images),
  ]);
  if (installed.code !== 0) throw new Error(`helm install failed: ${installed.stderr}${installed.stdout}`);
  log(`helm install: the release in ${took()}`);
  started = Date.now();
  await waitForRollouts(cluster);
  log(`helm install: both Deployments rolled out in ${took()}`);
  return { helm };
}
