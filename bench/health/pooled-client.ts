// Writes for the benchmark's set-up over one pool of keep-alive connections: client-node makes a
// new TLS connection per request (engineering-notes.md), which on a loaded 2-core machine makes
// 80,000 set-up writes take an hour. The measured reconciler is not affected: it uses its own client.
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export type PooledRequest = (
  method: 'POST' | 'PATCH',
  path: string,
  body: unknown,
  contentType?: string,
) => Promise<void>;

export async function pooledClient(
  kubeConfig: KubeConfig,
  connections: number,
): Promise<{ send: PooledRequest; close: () => void }> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('no current cluster in the kubeconfig');
  const tls: RequestOptions & { headers: Record<string, string> } = { headers: {} };
  await kubeConfig.applyToHTTPSOptions(tls);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ca: tls.ca, cert: tls.cert, key: tls.key });
  const send: PooledRequest = (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(server.replace(/\/$/, '') + path),
        {
          method,
          agent,
          headers: { ...tls.headers, 'content-type': contentType, accept: 'application/json' },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', reject);
          res.once('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else
              reject(
                new Error(`${method} ${path}: HTTP ${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`),
              );
          });
        },
      );
      req.once('error', reject);
      req.once('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
      req.end(JSON.stringify(body));
    });
  return { send, close: () => agent.destroy() };
}
