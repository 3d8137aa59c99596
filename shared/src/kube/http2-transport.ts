// One HTTP/2 connection to the apiserver (node:http2), shared by every request and watch of a
// KubeClient, as client-go shares one. Opened lazily; replaced when it closes, fails or the server
// sends GOAWAY (the old one ends gracefully once its streams end); streams beyond the server's
// SETTINGS_MAX_CONCURRENT_STREAMS wait for a free one here, not inside nghttp2, so that their
// timeouts only start once they are sent. A stream the server refused unprocessed (REFUSED_STREAM,
// e.g. those sent while its GOAWAY was on the way) is sent again on a new connection (RFC 9113 8.7).
//
// Pings: one every PING_INTERVAL_MS, and a connection that does not answer one within
// PING_TIMEOUT_MS is dropped, as client-go's ReadIdleTimeout/PingTimeout do: a connection that died
// silently (a NAT entry dropped, a blackhole) would otherwise take every new request to its 10 s
// timeout, and the watches to their 30 s inactivity, before anything noticed. No idle close: the
// components keep watches open all the time, and an idle webhook's connection costs one ping a
// half-minute. An idle connection does not keep the process alive (unref while no stream is open).
//
// The TCP socket under TLS is our own (tls-material.ts), so reset() can RST it before anything is
// flushed gracefully (kube-client.ts, resetConnections).
//
// An apiserver whose ALPN does not offer h2 (HTTP/2 turned off) gets HTTP/1.1 with keep-alive
// (http1-transport.ts), as client-go falls back: refusing it would leave such a cluster unserved
// for no gain, and HTTP/1.1 only costs more connections. Not the other way round: with HTTP/1.1 for
// every call the apiserver answered each write of the reconciler more slowly (BENCHMARKS.md,
// "2026-11-30 late night").
import {
  connect as http2Connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type OutgoingHttpHeaders,
  type Settings,
} from 'node:http2';
import { Http1Transport } from './http1-transport.ts';
import { openTls, OwnSockets, type TlsMaterial } from './tls-material.ts';
import {
  abortReason,
  failOnAbortOrIdle,
  flatHeaders,
  readBody,
  type Transport,
  type TransportAnswer,
  type TransportRequest,
} from './transport.ts';

/** TCP and TLS set-up. */
const CONNECT_TIMEOUT_MS = 5_000;
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 15_000;
/**
 * Flow-control windows as client-go's (4 MiB a stream, more for the connection): with HTTP/2's
 * 64 KiB default, a list page of a few MiB waits for a WINDOW_UPDATE round trip every 64 KiB.
 */
const STREAM_WINDOW_BYTES = 4 * 2 ** 20;
const CONNECTION_WINDOW_BYTES = 32 * 2 ** 20;
/**
 * Sends of one request refused unprocessed before the refusal is the caller's. Resending is always
 * safe (RFC 9113 8.7); 3 was too few when GOAWAYs come often: one request in 1,000 at a 2% GOAWAY
 * chance was refused on three connections in a row (kube-client-goaway.test.ts).
 */
const REFUSED_ATTEMPTS = 6;

interface Connection {
  readonly session: ClientHttp2Session;
  /** Streams open (or being opened) on it. */
  open: number;
  limit: number;
  readonly waiting: (() => void)[];
  /** False once it takes no new streams (GOAWAY, closing, failed). */
  usable: boolean;
}

/** The server did not process the stream (REFUSED_STREAM, or the session refused it before sending). */
class RefusedStreamError extends Error {
  constructor(cause: unknown) {
    super('the apiserver refused the stream unprocessed', { cause });
  }
}

export class Http2Transport implements Transport {
  readonly tls: TlsMaterial;
  readonly #server: URL;
  readonly #sockets = new OwnSockets();
  readonly #connections = new Set<Connection>();
  #current: Promise<Connection | Http1Transport> | undefined;
  #http1: Http1Transport | undefined;

  constructor(server: URL, tls: TlsMaterial) {
    this.#server = server;
    this.tls = tls;
  }

  async send(call: TransportRequest): Promise<TransportAnswer> {
    for (let attempt = 1; ; attempt++) {
      call.signal?.throwIfAborted();
      const connection = await this.#acquire(call.signal);
      if (connection instanceof Http1Transport) return connection.send(call);
      try {
        return await this.#sendOn(connection, call);
      } catch (error) {
        if (!(error instanceof RefusedStreamError) || attempt >= REFUSED_ATTEMPTS) throw error;
      }
    }
  }

  async close(): Promise<void> {
    this.#current = undefined;
    const closing = [...this.#connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          this.#retire(connection);
          if (connection.session.closed) resolve();
          else connection.session.close(resolve);
        }),
    );
    await Promise.all([...closing, this.#http1?.close()]);
  }

  reset(): void {
    this.#current = undefined;
    // The TCP sockets first: a session's destroy would end its TLS socket gracefully, and what the
    // kernel holds would still go out once a partition heals.
    this.#sockets.resetAll();
    for (const connection of this.#connections) {
      this.#retire(connection);
      connection.session.destroy();
    }
    this.#http1?.reset();
  }

  /** A connection with a free stream (counted as taken), or the HTTP/1.1 fallback. */
  async #acquire(signal: AbortSignal | undefined): Promise<Connection | Http1Transport> {
    for (;;) {
      const current = (this.#current ??= this.#connect());
      const connection = await current;
      if (connection instanceof Http1Transport) return connection;
      if (!connection.usable) {
        if (this.#current === current) this.#current = undefined;
        continue;
      }
      if (connection.open < connection.limit) {
        if (connection.open++ === 0) connection.session.ref();
        return connection;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          connection.waiting.splice(connection.waiting.indexOf(wake), 1);
          reject(abortReason(signal as AbortSignal));
        };
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        connection.waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  #release(connection: Connection): void {
    if (--connection.open === 0 && !connection.session.destroyed) connection.session.unref();
    connection.waiting.shift()?.();
  }

  /** Takes no new streams on `connection`; whoever waits for one tries the next connection. */
  #retire(connection: Connection): void {
    if (!connection.usable) return;
    connection.usable = false;
    for (const wake of connection.waiting.splice(0)) wake();
  }

  #connect(): Promise<Connection | Http1Transport> {
    const opening = this.#open().catch((error: unknown) => {
      if (this.#current === opening) this.#current = undefined;
      throw error;
    });
    return opening;
  }

  async #open(): Promise<Connection | Http1Transport> {
    const tcp = this.#sockets.open(this.#server);
    const socket = openTls(this.#server, tcp, this.tls, ['h2', 'http/1.1']);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${this.#server.origin}: no TLS connection within ${CONNECT_TIMEOUT_MS} ms`)),
          CONNECT_TIMEOUT_MS,
        );
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      socket.destroy();
      tcp.destroy();
      throw error;
    }
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      this.#http1 ??= new Http1Transport(this.#server, this.tls);
      return this.#http1;
    }
    const session = http2Connect(this.#server.origin, {
      createConnection: () => socket,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));
    session.on('error', () => undefined); // reported to the streams
    // New streams wait for the server's SETTINGS (its first frame): a server that allows fewer than
    // we would send refuses the rest (Go's: REFUSED_STREAM, then PROTOCOL_ERROR).
    const limit = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.#server.origin}: no HTTP/2 SETTINGS within ${CONNECT_TIMEOUT_MS} ms`)),
        CONNECT_TIMEOUT_MS,
      );
      session.once('remoteSettings', (settings: Settings) => {
        clearTimeout(timer);
        resolve(settings.maxConcurrentStreams ?? Infinity);
      });
      session.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`${this.#server.origin}: the HTTP/2 connection closed before its SETTINGS`));
      });
    }).catch((error: unknown) => {
      tcp.destroy();
      session.destroy();
      throw error;
    });
    const connection: Connection = { session, open: 0, limit, waiting: [], usable: true };
    this.#connections.add(connection);
    session.unref();
    // The next #acquire finds it unusable and opens another.
    const retire = (): void => this.#retire(connection);
    session.on('remoteSettings', (settings: Settings) => {
      connection.limit = settings.maxConcurrentStreams ?? Infinity;
      for (const wake of connection.waiting.splice(0)) wake();
    });
    session.on('goaway', retire);
    session.on('error', retire);
    const pings = setInterval(() => ping(session), PING_INTERVAL_MS).unref();
    session.once('close', () => {
      retire();
      clearInterval(pings);
      this.#connections.delete(connection);
      tcp.destroy();
    });
    return connection;
  }

  #sendOn(connection: Connection, call: TransportRequest): Promise<TransportAnswer> {
    const headers: OutgoingHttpHeaders = { ...call.headers, ':method': call.method, ':path': call.path };
    if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
    let stream: ClientHttp2Stream;
    try {
      stream = connection.session.request(headers, { endStream: call.body === undefined });
    } catch (error) {
      // The session closed or received GOAWAY since it was handed out: nothing was sent.
      this.#retire(connection);
      this.#release(connection);
      throw new RefusedStreamError(error);
    }
    stream.once('close', () => this.#release(connection));
    const failure = failOnAbortOrIdle(stream, call); // the abort: RST_STREAM
    if (call.body !== undefined) stream.end(call.body);
    return new Promise((resolve, reject) => {
      let answered = false;
      const failed = (error: Error): void =>
        reject(
          stream.rstCode === constants.NGHTTP2_REFUSED_STREAM ? new RefusedStreamError(error) : (failure() ?? error),
        );
      stream.once('response', (answer) => {
        answered = true;
        resolve({
          status: Number(answer[':status']),
          headers: flatHeaders(answer),
          read: (onChunk) => readBody(stream, failure, onChunk),
        });
      });
      stream.once('error', failed);
      // An Error only when it is needed: its stack trace costs more than the rest of a request.
      stream.once('close', () => {
        if (!answered) failed(new Error(`${call.method} ${call.path}: the stream closed without an answer`));
      });
    });
  }
}

/** Pings; no answer within PING_TIMEOUT_MS ends the session (its streams fail, the next request opens another). */
function ping(session: ClientHttp2Session): void {
  if (session.destroyed || session.connecting) return;
  const timer = setTimeout(
    () => session.destroy(new Error(`the apiserver did not answer a ping within ${PING_TIMEOUT_MS} ms`)),
    PING_TIMEOUT_MS,
  ).unref();
  session.ping(() => clearTimeout(timer));
}
