import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PooledKubeConfig } from './pooled-kube-config.ts';

/**
 * KUBECONFIG, else ~/.kube/config, else the in-cluster ServiceAccount. With none of them the client
 * library would quietly aim at http://localhost:8080 and retry for ever: fail at start instead.
 * Every API call of the component then shares one pooled transport (pooled-kube-config.ts).
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT);
  if (!env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !inCluster) {
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG, provide ~/.kube/config, or run in a Pod');
  }
  kc.loadFromDefault();
  if (!kc.getCurrentCluster())
    throw new Error('no Kubernetes cluster configured: the kubeconfig has no current cluster');
  return kc;
}
