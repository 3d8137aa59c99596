// What kube-client.ts asks of a transport (http2-transport.ts, or http1-transport.ts for an http:
// server and an apiserver without HTTP/2): one request, its answer's status, headers and body.
import type { Readable } from 'node:stream';
import type { TlsMaterial } from './tls-material.ts';

export interface TransportRequest {
  readonly method: string;
  /** The path with its query. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Aborts the request or its answer's body: RST_STREAM (HTTP/1.1: the connection is closed). */
  readonly signal?: AbortSignal;
  /** Without a byte for this long (the headers, then between body chunks), fails with IdleTimeoutError. */
  readonly idleMs: number;
}

export interface TransportAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Reads the body, chunk by chunk, to its end (resolves) or a failure (rejects: the abort's reason,
   * IdleTimeoutError, or what broke the connection). Read it (or abort the signal): an unread body
   * holds its stream.
   */
  read(onChunk: (chunk: Buffer) => void): Promise<void>;
}

export interface Transport {
  readonly tls: TlsMaterial;
  send(request: TransportRequest): Promise<TransportAnswer>;
  /** Closes once the requests in flight end; new requests go elsewhere. */
  close(): Promise<void>;
  /** Resets every connection at once (TCP RST): nothing they still hold is delivered. */
  reset(): void;
}

/** Nothing arrived for `idleMs`. */
export class IdleTimeoutError extends Error {
  readonly code = 'LBG_IDLE_TIMEOUT';
  constructor(idleMs: number) {
    super(`no answer from the apiserver for ${idleMs} ms`);
    this.name = 'IdleTimeoutError';
  }
}

/** The whole body as text. */
export async function textOf(answer: TransportAnswer): Promise<string> {
  const chunks: Buffer[] = [];
  await answer.read((chunk) => chunks.push(chunk));
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** Answer headers as one string per name, without HTTP/2's pseudo-headers. */
export function flatHeaders(
  raw: Readonly<Record<string, string | string[] | number | undefined>>,
): Record<string, string> {
  // for-in, not Object.entries: no array per header on every answer (Node's header objects hold
  // their own keys only).
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined && !name.startsWith(':'))
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/** The abort's reason, as fetch and undici report it (an AbortError unless the signal says otherwise). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Reads `body` with events rather than an async iterator: fewer promises per chunk, and node:http2's
 * stream may emit 'close' just before 'end' (its async iterator then throws ERR_STREAM_PREMATURE_CLOSE
 * on a complete answer, about 1 in 150 GETs against the apiserver). When the request was failed on
 * purpose (abort, idle), that reason is what rejects.
 */
export function readBody(
  body: Readable,
  failure: () => Error | undefined,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    body.on('data', (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        body.destroy(error as Error);
      }
    });
    body.once('end', () => {
      ended = true;
      const failed = failure();
      if (failed === undefined) resolve();
      else reject(failed);
    });
    body.once('error', (error: Error) => reject(failure() ?? error));
    body.once('close', () =>
      // 'end' is emitted on the next tick when 'close' came first.
      setImmediate(() => {
        if (!ended) reject(failure() ?? new Error('the apiserver closed the answer before its end'));
      }),
    );
  });
}

/** A request or stream: destroying it with an error ends it (HTTP/2: RST_STREAM). */
interface Destroyable {
  destroy(error?: Error): unknown;
  setTimeout(ms: number, callback: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Destroys `request` when `call.signal` aborts or nothing arrives for `call.idleMs`; the returned
 * function tells which of those failed it (undefined: neither), so that this reason, not the
 * transport's own error, is what the caller sees.
 */
export function failOnAbortOrIdle(request: Destroyable, call: TransportRequest): () => Error | undefined {
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    request.destroy(error);
  };
  const onAbort = (): void => fail(abortReason(call.signal as AbortSignal));
  call.signal?.addEventListener('abort', onAbort, { once: true });
  request.once('close', () => call.signal?.removeEventListener('abort', onAbort));
  request.setTimeout(call.idleMs, () => fail(new IdleTimeoutError(call.idleMs)));
  return () => failure;
}
