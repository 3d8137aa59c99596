// Where the serving certificate comes from. The certs workspace's CertificateManager (Secret-backed,
// caBundle injection, rotation) is one; a fixed certificate (benchmarks) is another.

export interface TlsKeyPair {
  readonly key: string;
  readonly cert: string;
}

export interface CertificateSource {
  /** Resolves with the first certificate (rejects if stopped before there is one). */
  start(): Promise<TlsKeyPair>;
  /** Called with each later certificate; returns the unsubscribe function. */
  onRotation(listener: (certificate: TlsKeyPair) => void): () => void;
  stop(): Promise<void>;
}

export function staticCertificate(pair: TlsKeyPair): CertificateSource {
  return { start: async () => pair, onRotation: () => () => undefined, stop: async () => undefined };
}
