// Makes the CA and the serving certificate with selfsigned 5.x, which can sign with a given CA.
// Keys are ECDSA P-256 signed with SHA-256 (ecdsa-with-SHA256): kube-apiserver accepts it (it
// refuses SHA-1, selfsigned's default), and a key takes milliseconds to make where RSA takes tens.
import { generate } from 'selfsigned';
import type { ValidityWindow } from './certificate-facts.ts';
import type { ServingNames } from './certificate-settings.ts';

export interface CertificateAndKey {
  readonly cert: string;
  readonly key: string;
}

const signing = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
export const MAX_BACKDATE_MS = 5 * 60 * 1000;

/**
 * From `now` for `validitySeconds`, never past `notAfterLimit` (a leaf must not outlive its CA).
 * notBefore is set back by a tenth of the validity (at most 5 minutes) so that a clock a little
 * behind ours (another replica, the apiserver) already accepts the certificate.
 */
export function plannedValidity(now: Date, validitySeconds: number, notAfterLimit?: Date): ValidityWindow {
  const validityMs = validitySeconds * 1000;
  const notBefore = new Date(now.getTime() - Math.min(MAX_BACKDATE_MS, validityMs / 10));
  const notAfter = new Date(Math.min(now.getTime() + validityMs, notAfterLimit?.getTime() ?? Infinity));
  return { notBefore, notAfter };
}

export async function mintCertificateAuthority(
  commonName: string,
  validity: ValidityWindow,
): Promise<CertificateAndKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...signing,
    notBeforeDate: validity.notBefore,
    notAfterDate: validity.notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function mintServingCertificate(
  ca: CertificateAndKey,
  commonName: string,
  names: ServingNames,
  validity: ValidityWindow,
): Promise<CertificateAndKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...signing,
    notBeforeDate: validity.notBefore,
    notAfterDate: validity.notAfter,
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...names.ipAddresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
