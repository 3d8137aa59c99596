// One undici Agent per apiserver and TLS material for PooledKubeConfig (client-node's generated
// clients in tests and benches; the components run on shared/src/kube/http2-transport.ts, without
// undici): keep-alive, HTTP/2 where the apiserver offers it (as client-go does), so every request
// and watch multiplexes over a handful of connections. Timeouts as the components have them: an
// ordinary request gets REQUEST_TIMEOUT_MS for its headers and between body chunks (undici's
// default is 300 s); watches get their own body timeout (they are quiet by design).
import { connect, type Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { TlsMaterial } from '@longhorn-backup-guard/shared/kube/tls-material';

/** Headers and gaps between body chunks of an ordinary request (not a watch); below the 15 s lease. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Connection (TCP + TLS) set-up. */
const CONNECT_TIMEOUT_MS = 5_000;
/** An idle pooled connection is closed after this (the apiserver keeps HTTP/2 connections longer). */
const KEEP_ALIVE_MS = 60_000;

export interface PooledAgent {
  readonly tls: TlsMaterial;
  /** For ordinary requests. */
  readonly agent: Agent;
  /** The same pool, for watches: `watchBodyTimeoutMs` between chunks (0: none). */
  readonly watches: Dispatcher;
  /**
   * Resets every connection (TCP RST, the unsent bytes dropped, not delivered after a FIN as a
   * plain close would) and destroys the pool: what requests in flight had sent is not delivered
   * later by a connection a partition held up.
   */
  reset(): void;
}

export function pooledAgent(tls: TlsMaterial, watchBodyTimeoutMs: number): PooledAgent {
  const sockets = new Set<Socket>();
  const connector = buildConnector({
    ...tls,
    allowH2: true,
    keepAlive: true,
    keepAliveInitialDelay: 30_000,
    timeout: CONNECT_TIMEOUT_MS,
  });
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const agent = new Agent({
    // The TCP socket under TLS is opened here and kept: only a TCP socket can be reset (a TLS one
    // refuses resetAndDestroy).
    connect: (options, callback) => {
      const tcp =
        options.protocol === 'https:'
          ? connect({
              host: options.hostname.replace(/^\[(.*)\]$/, '$1'),
              port: Number(options.port) || 443,
              keepAlive: true,
              keepAliveInitialDelay: 30_000,
            })
          : undefined;
      if (tcp) track(tcp);
      connector(tcp ? { ...options, httpSocket: tcp } : options, (...result) => {
        const socket = result[1];
        if (socket && tcp) socket.once('close', () => tcp.destroy());
        else if (socket) track(socket);
        else tcp?.destroy();
        callback(...result);
      });
    },
    allowH2: true,
    keepAliveTimeout: KEEP_ALIVE_MS,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const watches = agent.compose(
    (dispatch) => (options, handler) => dispatch({ ...options, bodyTimeout: watchBodyTimeoutMs }, handler),
  );
  const reset = (): void => {
    // The pool first (it fails what is queued, as undici expects when a session closes), then the sockets.
    void agent.destroy(new Error('connections reset')).catch(() => undefined);
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return { tls, agent, watches, reset };
}
