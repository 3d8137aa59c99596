// An HTTP relay to the real apiserver that counts the requests passing through it, by method and
// path: what a component asked of the apiserver, seen from outside the component. The component
// talks plain HTTP to the relay; the relay talks to the apiserver with the admin's credentials
// (as `kubectl proxy` does). Watches stream through.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface CountingProxy {
  /** Requests seen so far whose `METHOD path` (no query) matches. */
  count(method: string, path: string | RegExp): number;
  /** The most of those that were in flight at one time. */
  peakConcurrency(method: string, path: string | RegExp): number;
  /** A KubeConfig whose server is this relay (no credentials of its own). */
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

export async function startCountingProxy(admin: KubeConfig): Promise<CountingProxy> {
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  if (cluster === null || user === null) throw new Error('the admin kubeconfig has no current cluster or user');
  const target = new URL(cluster.server);
  const decode = (data: string | undefined) => (data === undefined ? undefined : Buffer.from(data, 'base64'));
  const tls = { ca: decode(cluster.caData), cert: decode(user.certData), key: decode(user.keyData) };
  const seen: { method: string; path: string; start: number; end: number }[] = [];
  const matching = (method: string, path: string | RegExp) =>
    seen.filter(
      (entry) => entry.method === method && (typeof path === 'string' ? entry.path === path : path.test(entry.path)),
    );

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = incoming.url ?? '/';
    const entry = {
      method: incoming.method ?? 'GET',
      path: path.split('?')[0] ?? path,
      start: performance.now(),
      end: Infinity,
    };
    seen.push(entry);
    outgoing.once('close', () => {
      entry.end = performance.now();
    });
    const upstream = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: incoming.method,
        headers: { ...incoming.headers, host: target.host },
        ...tls,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    count: (method, path) => matching(method, path).length,
    peakConcurrency(method, path) {
      const entries = matching(method, path);
      return Math.max(
        0,
        ...entries.map(({ start }) => entries.filter((other) => other.start <= start && other.end > start).length),
      );
    },
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'relay', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'relay' }],
        contexts: [{ name: 'relay', cluster: 'relay', user: 'relay' }],
        currentContext: 'relay',
      });
      return kc;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
