// Plain-HTTP operations endpoints beside a component's main work: /metrics (Prometheus text),
// /healthz (the process is alive and its loop turns) and /readyz (caches synced, ready to serve).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface OperationsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Ready: caches synced, certificate loaded, … The reason is shown when not ready. */
  readiness: () => { ready: boolean; reason?: string };
}

export interface OperationsServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startOperationsServer(options: OperationsServerOptions): Promise<OperationsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const { ready, reason } = options.readiness();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ok\n' : `not ready: ${reason ?? 'starting'}\n`);
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.registry.contentType }).end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`);
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
