import { KubeConfig } from '@kubernetes/client-node';

/** KUBECONFIG or ~/.kube/config when present, else the in-cluster ServiceAccount. */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured: set KUBECONFIG or run in a Pod');
  return kc;
}
