// What one client may cost the webhook: how long each phase of a connection may take, how many
// connections there may be, how many large bodies are read at once, and how long a stop may take.
// An admission webhook serves one client that matters, the apiserver, whose calls are small and
// give up after timeoutSeconds (at most 30 s): anything slower or larger is not the apiserver.

export interface ServerLimits {
  /** A TCP connection must finish its TLS handshake within this. */
  readonly handshakeTimeoutMs: number;
  /** A request's headers must be in within this (counted from the connection or the last answer). */
  readonly headersTimeoutMs: number;
  /** A whole request, body included, must be in within this (the apiserver waits at most 30 s). */
  readonly requestTimeoutMs: number;
  /** A connection without traffic while a request is due (e.g. a TLS connection that never sends one). */
  readonly idleTimeoutMs: number;
  /**
   * An idle kept-alive connection between answers. Longer than the apiserver's idle timeout (90 s),
   * so the client, not the server, ends it: a server-side close can race a request being written.
   */
  readonly keepAliveTimeoutMs: number;
  /** Connections beyond this are closed at once (TLS handshakes not finished included). */
  readonly maxConnections: number;
  /**
   * Request-body bytes read and decided at once (each request counts its Content-Length, one
   * without it the body limit); more wait their turn. The default, the 4 MiB body limit plus 1 MiB,
   * lets one largest review in at a time with the small ones beside it. Memory: see BENCHMARKS.md.
   */
  readonly bodyBytesInFlight: number;
  /** On close, connections still open after this are destroyed, whatever their clients do. */
  readonly shutdownTimeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 120_000,
  maxConnections: 500,
  bodyBytesInFlight: 5 * 1024 * 1024,
  shutdownTimeoutMs: 10_000,
};
