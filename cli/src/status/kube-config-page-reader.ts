// The CLI reads collections through client-node, which runs every authenticator a user's kubeconfig
// may name (exec plugins, OIDC); the components read through their own KubeClient instead.
import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { PageReader } from '@longhorn-backup-guard/shared/kube/informer/list-collection';

export function kubeConfigPageReader(kubeConfig: KubeConfig): PageReader {
  const http = new IsomorphicFetchHttpLibrary();
  return async (path, query, signal) => {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    if (signal !== undefined) context.setSignal(signal);
    await kubeConfig.applySecurityAuthentication(context);
    const response = await http.send(context).toPromise();
    const body = await response.body.text();
    if (response.httpStatusCode !== 200)
      throw new ApiException(
        response.httpStatusCode,
        `GET ${url.pathname}: HTTP ${response.httpStatusCode}`,
        body,
        response.headers,
      );
    return JSON.parse(body) as unknown;
  };
}
