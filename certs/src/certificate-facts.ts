// What a PEM certificate says, read with node:crypto: validity, names, signature algorithm, and
// whether it was issued by a given CA. No I/O; throws only on text that is not a certificate.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { SocketAddress, isIP } from 'node:net';

export interface ValidityWindow {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface CertificateFacts extends ValidityWindow {
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex, as node:crypto prints it. */
  readonly serialNumber: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** e.g. 'ecdsa-with-SHA256' or 'sha256WithRSAEncryption' (undefined if OpenSSL has no name for it). */
  readonly signatureAlgorithm: string | undefined;
  readonly isCa: boolean;
  readonly fingerprint256: string;
}

export function readCertificateFacts(pem: string): CertificateFacts {
  const certificate = new X509Certificate(pem);
  const altNames = parseSubjectAltName(certificate.subjectAltName);
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate,
    dnsNames: altNames.dnsNames,
    ipAddresses: altNames.ipAddresses,
    signatureAlgorithm: certificate.signatureAlgorithm,
    isCa: certificate.ca,
    fingerprint256: certificate.fingerprint256,
  };
}

/** undefined for text that is not a PEM certificate. */
export function tryReadCertificateFacts(pem: string): CertificateFacts | undefined {
  try {
    return readCertificateFacts(pem);
  } catch {
    return undefined;
  }
}

/** node:crypto's `DNS:a, DNS:b, IP Address:127.0.0.1` form, split by kind (other kinds are dropped). */
export function parseSubjectAltName(text: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (text ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice('DNS:'.length));
    else if (entry.startsWith('IP Address:')) ipAddresses.push(canonicalIp(entry.slice('IP Address:'.length)));
  }
  return { dnsNames, ipAddresses };
}

/** One spelling per address (`FD00:0:0:0:0:0:0:1` and `fd00::1` are the same), so lists compare. */
export function canonicalIp(ip: string): string {
  const family = isIP(ip);
  if (family === 0) return ip;
  return new SocketAddress({ address: ip, family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}

/** True when `leafPem` names `caPem` as issuer and carries a valid signature by the CA's key. */
export function isIssuedBy(leafPem: string, caPem: string): boolean {
  const leaf = new X509Certificate(leafPem);
  const ca = new X509Certificate(caPem);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

/** True when the private key (PEM) belongs to the certificate (PEM). */
export function isKeyOfCertificate(keyPem: string, certificatePem: string): boolean {
  return new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(keyPem));
}
