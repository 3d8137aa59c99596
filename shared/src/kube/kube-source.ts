// What a component is handed to reach the apiserver: its own KubeClient (loadKubeClient at start),
// or a kubeconfig object with client-node's getCurrentCluster/getCurrentUser (the tests hand the
// product one), read through those two methods only, so that no client-node code runs here.
import { KubeClient } from './kube-client.ts';
import { connectionOf, type ClusterEntry, type UserEntry } from './kube-connection.ts';

/** A client-node KubeConfig fits this shape. */
export interface KubeConfigLike {
  getCurrentCluster(): ClusterEntry | null;
  getCurrentUser(): UserEntry | null;
}

export type KubeSource = KubeClient | KubeConfigLike;

/** One client (one pool) per kubeconfig object, however many parts of a component ask. */
const clients = new WeakMap<KubeConfigLike, KubeClient>();

export function kubeClientOf(source: KubeSource): KubeClient {
  if (source instanceof KubeClient) return source;
  let client = clients.get(source);
  if (client === undefined) {
    const cluster = source.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    client = new KubeClient(connectionOf(cluster, source.getCurrentUser() ?? {}, 'the kubeconfig'));
    clients.set(source, client);
  }
  return client;
}
