// The components' Kubernetes client: JSON requests and watch streams over one HTTP/2 connection
// per cluster (node:http2, http2-transport.ts). It replaces @kubernetes/client-node at run time
// (issue 13): importing client-node loads every generated API and 757 models (about 86 MiB of RSS
// and 0.5-0.9 s before the first line runs) for the dozen calls the components make; 2.0.1 also
// opens a TLS connection per request (kubernetes-client/javascript#2893). Node's own http2 in place
// of undici: importing undici cost about 27 MiB of RSS and 240 ms at start, and its HTTP/2 glue
// about half of the reconciler's transport CPU; tests and the CLI keep client-node (and undici).
//
// Timeouts are deliberate: an ordinary request gets REQUEST_TIMEOUT_MS for its headers and between
// body chunks, below the reconciler's 15 s lease, so a replica that lost its lease is not left with
// a write in flight; a watch ends cleanly after WATCH_INACTIVITY_MS without a byte (the informer's
// server-side timeoutSeconds and bookmarks keep a healthy one shorter); `timeoutMs` and `signal`
// abort a request (RST_STREAM).
// Rotation: files (the projected ServiceAccount token, a CA or client certificate file) are re-read
// at most once a minute, as client-go re-reads a token file; a new token needs no new connection,
// new TLS bytes open a new connection and close the old one once its streams end.
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { KubeApiError } from './api-errors.ts';
import { Http1Transport } from './http1-transport.ts';
import { Http2Transport } from './http2-transport.ts';
import type { KubeConnection, Material } from './kube-connection.ts';
import { sameTls, type TlsMaterial } from './tls-material.ts';
import { IdleTimeoutError, textOf, type Transport } from './transport.ts';

/** A token, CA or certificate file is re-read at most this often. */
const REREAD_MS = 60_000;
/** Headers and gaps between body chunks of an ordinary request (not a watch); below the 15 s lease. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A watch that sends nothing (not even a bookmark) for this long is ended; the informer watches again. */
const WATCH_INACTIVITY_MS = 30_000;

const USER_AGENT = 'longhorn-backup-guard';

export type PatchType = 'merge' | 'json';

/** Strategic merge patch is refused (415) on custom resources: this project uses merge and JSON patches only. */
const patchContentTypes: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. /api/v1/namespaces/app/persistentvolumeclaims/data (resource-path.ts builds them), without a query. */
  readonly path: string;
  readonly query?: QueryParams;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** A PATCH body's kind. */
  readonly patch?: PatchType;
  readonly signal?: AbortSignal;
  /** A bound on the whole request, however slowly its answer arrives (a page of a list). */
  readonly timeoutMs?: number;
}

export interface KubeAnswer<T> {
  readonly body: T;
  readonly headers: Readonly<Record<string, string>>;
}

/** One watch event as the apiserver streams it. */
export type WatchEventHandler = (type: string, object: unknown) => void;

interface Credentials {
  readonly tls: TlsMaterial;
  readonly token?: string;
  readonly readAt: number;
}

async function bytesOf(source: Material | undefined): Promise<Buffer | undefined> {
  if (source === undefined) return undefined;
  return 'bytes' in source ? source.bytes : readFile(source.file);
}

export class KubeClient {
  readonly #connection: KubeConnection;
  readonly #rereads: boolean;
  /** The server URL's own path, e.g. '' or '/k8s/clusters/c-1'. */
  readonly #pathPrefix: string;
  #credentials: Credentials | undefined;
  #reading: Promise<Credentials> | undefined;
  #transport: Transport | undefined;

  constructor(connection: KubeConnection) {
    this.#connection = connection;
    this.#pathPrefix = new URL(connection.server).pathname.replace(/\/+$/, '');
    const { ca, cert, key, token } = connection;
    this.#rereads = [ca, cert, key, token].some((source) => source !== undefined && 'file' in source);
  }

  /** The apiserver's URL. */
  get server(): string {
    return this.#connection.server;
  }

  /** One JSON request; a non-2xx answer throws KubeApiError (status code, body, headers). */
  async request<T>(call: KubeRequest): Promise<KubeAnswer<T>> {
    const { headers, transport } = await this.#prepare();
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (body !== undefined) headers['content-type'] = call.patch ? patchContentTypes[call.patch] : 'application/json';
    const signals = [call.signal, call.timeoutMs === undefined ? undefined : AbortSignal.timeout(call.timeoutMs)];
    const present = signals.filter((signal) => signal !== undefined);
    const answer = await transport.send({
      method: call.method,
      path: this.#pathOf(call.path, call.query),
      headers,
      body,
      signal: present.length > 1 ? AbortSignal.any(present) : present[0],
      idleMs: REQUEST_TIMEOUT_MS,
    });
    const text = await textOf(answer);
    if (answer.status < 200 || answer.status > 299)
      throw new KubeApiError(answer.status, `${call.method} ${call.path}: HTTP ${answer.status}`, text, answer.headers);
    return { body: (text === '' ? undefined : JSON.parse(text)) as T, headers: answer.headers };
  }

  /**
   * Watches `path` (a collection), calling `onEvent` for each event, until the apiserver ends the
   * stream (resolves), nothing arrives for WATCH_INACTIVITY_MS (resolves), `signal` aborts or the
   * connection fails (rejects). A non-200 answer rejects with KubeApiError (410 Gone included).
   */
  async watch(path: string, query: QueryParams, onEvent: WatchEventHandler, signal: AbortSignal): Promise<void> {
    const { headers, transport } = await this.#prepare();
    const answer = await transport.send({
      method: 'GET',
      path: this.#pathOf(path, { ...query, watch: true }),
      headers,
      signal,
      idleMs: WATCH_INACTIVITY_MS,
    });
    if (answer.status !== 200) {
      const text = await textOf(answer);
      throw new KubeApiError(answer.status, `watch ${path}: HTTP ${answer.status}`, text, {});
    }
    const decoder = new StringDecoder('utf8');
    let pending = '';
    try {
      await answer.read((chunk) => {
        pending += decoder.write(chunk);
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim() !== '') {
            const event = JSON.parse(line) as { type?: unknown; object?: unknown };
            onEvent(String(event.type), event.object);
          }
          newline = pending.indexOf('\n');
        }
      });
    } catch (error) {
      if (error instanceof IdleTimeoutError) return;
      throw error;
    }
  }

  /**
   * A client for the same cluster and credentials with a pool of its own, so that its connections
   * can be reset (resetConnections) without touching this one's watches.
   */
  withOwnPool(): KubeClient {
    return new KubeClient(this.#connection);
  }

  /**
   * Resets the pool's connections at once (TCP RST before anything is flushed gracefully), dropping
   * whatever they still carry: a request aborted in flight on a live HTTP/2 connection is only a
   * RST_STREAM behind its frames, which a connection held up by a partition delivers once it heals.
   * The next request opens a new connection.
   */
  resetConnections(): void {
    const transport = this.#transport;
    this.#transport = undefined;
    transport?.reset();
  }

  /** Closes the connection (requests in flight finish first). */
  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    await transport?.close();
  }

  /**
   * The request's path and query on the server (whose URL may carry a path prefix). Built as a string:
   * parsing a URL per request showed in the profile; paths come from resource-path.ts, encoded, and
   * carry no query of their own (it is `query`).
   */
  #pathOf(path: string, query: QueryParams | undefined): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(name, String(value));
    const text = search.toString();
    return text === '' ? this.#pathPrefix + path : `${this.#pathPrefix}${path}?${text}`;
  }

  async #prepare(): Promise<{ headers: Record<string, string>; transport: Transport }> {
    const credentials = await this.#currentCredentials();
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
    if (this.#connection.impersonateUser) headers['impersonate-user'] = this.#connection.impersonateUser;
    return { headers, transport: this.#transportFor(credentials.tls) };
  }

  async #currentCredentials(): Promise<Credentials> {
    const known = this.#credentials;
    if (known !== undefined && (!this.#rereads || performance.now() - known.readAt < REREAD_MS)) return known;
    this.#reading ??= this.#readCredentials()
      .then(
        (read) => (this.#credentials = read),
        (error: unknown) => {
          if (known === undefined) throw error;
          // A file that cannot be read right now (a rotation in progress) keeps the last good material.
          return (this.#credentials = { ...known, readAt: performance.now() });
        },
      )
      .finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #readCredentials(): Promise<Credentials> {
    const { ca, cert, key, token } = this.#connection;
    const [caBytes, certBytes, keyBytes, tokenBytes] = await Promise.all([ca, cert, key, token].map(bytesOf));
    return {
      tls: {
        ca: caBytes,
        cert: certBytes,
        key: keyBytes,
        rejectUnauthorized: !this.#connection.skipTlsVerify,
        servername: this.#connection.tlsServerName,
      },
      token: tokenBytes?.toString('utf8').trim(),
      readAt: performance.now(),
    };
  }

  #transportFor(tls: TlsMaterial): Transport {
    const current = this.#transport;
    if (current && sameTls(current.tls, tls)) return current;
    if (current) void current.close().catch(() => undefined);
    const server = new URL(this.#connection.server);
    this.#transport = server.protocol === 'http:' ? new Http1Transport(server, tls) : new Http2Transport(server, tls);
    return this.#transport;
  }
}
