// HTTP/1.1 with keep-alive connections (node:http, node:https), for a server given as http: (a test
// relay, `kubectl proxy`) and for an apiserver whose ALPN does not offer HTTP/2 (http2-transport.ts
// falls back here, as client-go falls back to HTTP/1.1). The TCP sockets are our own, so that
// reset() can reset them (tls-material.ts).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { openTls, OwnSockets, type TlsMaterial } from './tls-material.ts';
import {
  failOnAbortOrIdle,
  flatHeaders,
  readBody,
  type Transport,
  type TransportAnswer,
  type TransportRequest,
} from './transport.ts';

/** An idle keep-alive connection is closed after this. */
const KEEP_ALIVE_MS = 60_000;

export class Http1Transport implements Transport {
  readonly tls: TlsMaterial;
  readonly #server: URL;
  readonly #agent: HttpAgent;
  readonly #sockets = new OwnSockets();

  constructor(server: URL, tls: TlsMaterial) {
    this.#server = server;
    this.tls = tls;
    const secure = server.protocol === 'https:';
    this.#agent = secure
      ? new HttpsAgent({ keepAlive: true, timeout: KEEP_ALIVE_MS })
      : new HttpAgent({ keepAlive: true, timeout: KEEP_ALIVE_MS });
    // One connection per request in flight, as HTTP/1.1 needs; each over a TCP socket we keep.
    const connect = (): Socket => {
      const tcp = this.#sockets.open(server);
      return secure ? openTls(server, tcp, tls, ['http/1.1']) : tcp;
    };
    (this.#agent as { createConnection: unknown }).createConnection = connect;
  }

  send(call: TransportRequest): Promise<TransportAnswer> {
    call.signal?.throwIfAborted();
    const send = this.#server.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { ...call.headers };
    if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
    const request: ClientRequest = send(new URL(call.path, this.#server), {
      method: call.method,
      headers,
      agent: this.#agent,
    });
    const failure = failOnAbortOrIdle(request, call);
    request.end(call.body);
    return new Promise((resolve, reject) => {
      request.once('error', (error: Error) => reject(failure() ?? error));
      request.once('response', (answer: IncomingMessage) =>
        resolve({
          status: answer.statusCode ?? 0,
          headers: flatHeaders(answer.headers),
          read: (onChunk) => readBody(answer, failure, onChunk),
        }),
      );
    });
  }

  /** Idle connections close now, busy ones once their request ends. */
  close(): Promise<void> {
    this.#agent.on('free', (socket: Socket) => socket.destroy());
    for (const sockets of Object.values(this.#agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    return Promise.resolve();
  }

  reset(): void {
    this.#sockets.resetAll();
    this.#agent.destroy();
  }
}
