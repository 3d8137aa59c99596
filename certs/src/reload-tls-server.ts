// Swaps a running TLS/HTTPS server's certificate on every rotation: new connections get the new
// certificate, open ones keep theirs, nothing restarts. For fastify: pass `app.server`.
import type { SecureContextOptions } from 'node:tls';
import type { CertificateManager, ServingCertificate } from './certificate-manager.ts';

export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** The `key`/`cert` options for https.createServer / fastify({ https }). */
export function secureContextOptions(certificate: ServingCertificate): { key: string; cert: string } {
  return { key: certificate.key, cert: certificate.cert };
}

/** Returns the unsubscribe function. */
export function reloadTlsServerOnRotation(
  server: SecureContextTarget,
  manager: Pick<CertificateManager, 'onRotation'>,
): () => void {
  return manager.onRotation((certificate) => {
    server.setSecureContext(secureContextOptions(certificate));
  });
}
