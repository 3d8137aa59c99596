// A kubeconfig that authenticates as a ServiceAccount with a bound token, as a controller in a
// cluster does, for the processes a benchmark measures. The control plane's admin kubeconfig
// authenticates with a client certificate, whose signature the apiserver checks on every request
// (crypto/x509 Verify: 5-8% of its CPU in the reconciler benchmark's legs, BENCHMARKS.md); a
// token's check is cached by the apiserver, so a client certificate prices each request above what
// it costs a controller in a cluster.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

/** Long enough for any benchmark run; the apiserver caps nothing unless told to. */
const TOKEN_SECONDS = 6 * 3600;

/**
 * Creates ServiceAccount `name` in `namespace`, bound to `clusterRole`, and writes a kubeconfig
 * for it (the admin's server and CA, the SA's token) to `<dir>/<name>.kubeconfig`; returns the path.
 */
export async function writeServiceAccountKubeconfig(
  admin: KubeConfig,
  dir: string,
  namespace: string,
  name: string,
  clusterRole: string,
): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await admin.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: `${namespace}-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', namespace, name }],
    },
  });
  const issued = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
  });
  const token = issued.status?.token;
  const cluster = admin.getCurrentCluster();
  if (token === undefined || cluster === null) throw new Error(`no token issued for ${namespace}/${name}`);
  // JSON is YAML: every kubeconfig reader takes it.
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bench', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
    users: [{ name, user: { token } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: name } }],
    'current-context': 'bench',
  };
  const path = join(dir, `${name}.kubeconfig`);
  await writeFile(path, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
  return path;
}
