// Decides, with the clock passed in, whether the certificates in the Secret can be served as they
// are, need a new serving certificate from the same CA, or need a new CA (only when the CA is
// missing, broken or expired: CA rotation with an overlap period is out of scope).
import {
  isIssuedBy,
  isKeyOfCertificate,
  readCertificateFacts,
  tryReadCertificateFacts,
  type CertificateFacts,
  type ValidityWindow,
} from './certificate-facts.ts';
import type { ServingNames } from './certificate-settings.ts';

/** The moment from which less than `fraction` of the window remains. */
export function renewalDueAt(window: ValidityWindow, fraction: number): Date {
  const lifetime = window.notAfter.getTime() - window.notBefore.getTime();
  return new Date(window.notAfter.getTime() - lifetime * fraction);
}

export function isRenewalDue(window: ValidityWindow, now: Date, fraction: number): boolean {
  return now.getTime() >= renewalDueAt(window, fraction).getTime();
}

/** The Secret's four PEM values, each possibly missing. */
export interface StoredCertificates {
  readonly caCert?: string | undefined;
  readonly caKey?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
}

export type CertificateVerdict =
  | { readonly action: 'keep' }
  | { readonly action: 'reissue-serving'; readonly reason: string }
  | { readonly action: 'recreate-ca'; readonly reason: string };

export interface CertificateAssessment {
  readonly verdict: CertificateVerdict;
  /** The CA is usable but less than `fraction` of its validity remains (worth a warning). */
  readonly caNearExpiry: boolean;
}

export function assessStoredCertificates(
  stored: StoredCertificates,
  expected: ServingNames,
  now: Date,
  fraction: number,
): CertificateAssessment {
  const caProblem = problemWithCa(stored, now);
  if (caProblem !== undefined) return { verdict: { action: 'recreate-ca', reason: caProblem }, caNearExpiry: false };
  const ca = readCertificateFacts(stored.caCert ?? '');
  const servingProblem = problemWithServing(stored, expected, now, fraction);
  return {
    verdict: servingProblem === undefined ? { action: 'keep' } : { action: 'reissue-serving', reason: servingProblem },
    caNearExpiry: isRenewalDue(ca, now, fraction),
  };
}

function problemWithCa(stored: StoredCertificates, now: Date): string | undefined {
  const { caCert, caKey } = stored;
  if (!caCert) return 'ca.crt is missing';
  if (!caKey) return 'ca.key is missing';
  const ca = tryReadCertificateFacts(caCert);
  if (ca === undefined) return 'ca.crt is not a PEM certificate';
  if (!ca.isCa) return 'ca.crt is not a CA certificate';
  if (!tryCheck(() => isKeyOfCertificate(caKey, caCert))) return 'ca.key does not belong to ca.crt';
  if (now >= ca.notAfter) return `the CA expired at ${ca.notAfter.toISOString()}`;
  return undefined;
}

function problemWithServing(
  stored: StoredCertificates,
  expected: ServingNames,
  now: Date,
  fraction: number,
): string | undefined {
  const { caCert = '', tlsCert, tlsKey } = stored;
  if (!tlsCert) return 'tls.crt is missing';
  if (!tlsKey) return 'tls.key is missing';
  const serving = tryReadCertificateFacts(tlsCert);
  if (serving === undefined) return 'tls.crt is not a PEM certificate';
  if (!tryCheck(() => isKeyOfCertificate(tlsKey, tlsCert))) return 'tls.key does not belong to tls.crt';
  if (!tryCheck(() => isIssuedBy(tlsCert, caCert))) return 'tls.crt is not signed by the CA in ca.crt';
  const namesProblem = describeNameDifference(serving, expected);
  if (namesProblem !== undefined) return namesProblem;
  if (now >= serving.notAfter) return `tls.crt expired at ${serving.notAfter.toISOString()}`;
  if (isRenewalDue(serving, now, fraction))
    return `renewal was due at ${renewalDueAt(serving, fraction).toISOString()}`;
  return undefined;
}

/** undefined when the certificate carries exactly the expected names. */
export function describeNameDifference(
  actual: Pick<CertificateFacts, 'dnsNames' | 'ipAddresses'>,
  expected: ServingNames,
): string | undefined {
  const have = new Set([...actual.dnsNames.map((name) => name.toLowerCase()), ...actual.ipAddresses]);
  const want = new Set([...expected.dnsNames, ...expected.ipAddresses]);
  const missing = [...want].filter((name) => !have.has(name));
  const extra = [...have].filter((name) => !want.has(name));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `not wanted ${extra.join(', ')}` : '',
  ];
  return `tls.crt names differ: ${parts.filter(Boolean).join('; ')}`;
}

function tryCheck(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
