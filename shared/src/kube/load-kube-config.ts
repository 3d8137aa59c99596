import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * KUBECONFIG, else ~/.kube/config, else the in-cluster ServiceAccount. With none of them the client
 * library would quietly aim at http://localhost:8080 and retry for ever: fail at start instead.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT);
  if (!env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !inCluster) {
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG, provide ~/.kube/config, or run in a Pod');
  }
  kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured: the kubeconfig has no current cluster');
  return kc;
}
