// The Secret every replica reads its certificates from. Type kubernetes.io/tls (so tls.crt and
// tls.key are where any TLS consumer looks for them) with the CA next to them in ca.crt / ca.key,
// as cert-manager lays out a CA-issued certificate (plus the CA key, which it keeps elsewhere).
import type { V1Secret } from '@kubernetes/client-node';
import type { CertificateAndKey } from './mint-certificates.ts';
import type { StoredCertificates } from './renewal-decision.ts';

export const secretKeys = { caCert: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;

export interface CertificateBundle {
  readonly ca: CertificateAndKey;
  readonly serving: CertificateAndKey;
}

export function storedCertificatesOf(secret: V1Secret): StoredCertificates {
  const data = secret.data ?? {};
  const decode = (key: string): string | undefined => {
    const value = data[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  return {
    caCert: decode(secretKeys.caCert),
    caKey: decode(secretKeys.caKey),
    tlsCert: decode(secretKeys.tlsCert),
    tlsKey: decode(secretKeys.tlsKey),
  };
}

/** The CA pair, once `assessStoredCertificates` has found it present and sound. */
export function caOf(stored: StoredCertificates): CertificateAndKey {
  if (!stored.caCert || !stored.caKey) throw new Error('the certificate Secret has no CA');
  return { cert: stored.caCert, key: stored.caKey };
}

/** The bundle, once `assessStoredCertificates` has found every part present. */
export function bundleOf(stored: StoredCertificates): CertificateBundle {
  if (!stored.tlsCert || !stored.tlsKey) throw new Error('the certificate Secret has no serving certificate');
  return { ca: caOf(stored), serving: { cert: stored.tlsCert, key: stored.tlsKey } };
}

export function secretDataOf(bundle: CertificateBundle): Record<string, string> {
  const encode = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');
  return {
    [secretKeys.caCert]: encode(bundle.ca.cert),
    [secretKeys.caKey]: encode(bundle.ca.key),
    [secretKeys.tlsCert]: encode(bundle.serving.cert),
    [secretKeys.tlsKey]: encode(bundle.serving.key),
  };
}

export function newCertificateSecret(namespace: string, name: string, bundle: CertificateBundle): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name, labels: { 'app.kubernetes.io/managed-by': 'longhorn-backup-guard' } },
    type: 'kubernetes.io/tls',
    data: secretDataOf(bundle),
  };
}
