// Which CAs the webhook configurations' caBundle carries, and when a certificate of a new CA may
// be served: the Secret's CA and, for a bounded
// overlap after the CA was re-created, the CA it replaced. Why: when the Secret's CA changes, the
// replica that made (or first reads) the new CA injects it before it serves a certificate of it,
// but the other replicas keep serving a certificate of the old CA until their next check; the
// apiserver must trust both until then. A healthy replica checks at least once per check interval
// (a failing one retries at most `retryMaxMs` apart), so two of the longer of them after the new CA
// was minted every replica serves it. The mint time is not stored: the CA's notBefore is set back
// by at most MAX_BACKDATE_MS (mint-certificates.ts) and rounded down to the second, so "notBefore +
// MAX_BACKDATE_MS + 1 s + two intervals" is never earlier than "minted + two intervals". A replica
// whose clock runs ahead by more than that margin drops the old CA early. At most two CAs: the
// Secret's and one previous.
// No I/O; PEM text in and out.
import { readCertificateFacts, tryReadCertificateFacts, type CertificateFacts } from './certificate-facts.ts';
import { MAX_BACKDATE_MS } from './mint-certificates.ts';

export interface CaBundleInputs {
  /** The CA in the certificate Secret: always carried, first. */
  readonly secretCaPem: string;
  /** CAs of the certificates that may still be served: this replica's and those already in the caBundle. */
  readonly previousCaPems: readonly string[];
  readonly now: Date;
  /** How long after the Secret's CA was minted its predecessor stays trusted (see overlapMs). */
  readonly overlapMs: number;
}

/** Two of the longest gaps between a replica's checks, plus the notBefore backdate and its rounding. */
export function overlapMs(checkIntervalMs: number, retryMaxMs: number): number {
  return 2 * Math.max(checkIntervalMs, retryMaxMs) + MAX_BACKDATE_MS + NOT_BEFORE_PRECISION_MS;
}

/** X.509 stores notBefore in whole seconds (rounded down). */
const NOT_BEFORE_PRECISION_MS = 1_000;

/** The PEM certificates the caBundle should carry: the Secret's CA, then at most one predecessor. */
export function caBundleCertificates(inputs: CaBundleInputs): string[] {
  const current = readCertificateFacts(inputs.secretCaPem);
  if (inputs.now.getTime() >= current.notBefore.getTime() + inputs.overlapMs) return [inputs.secretCaPem];
  const predecessor = inputs.previousCaPems
    .map((pem) => ({ pem, facts: tryReadCertificateFacts(pem) }))
    .filter(
      (candidate): candidate is { pem: string; facts: CertificateFacts } =>
        candidate.facts !== undefined &&
        candidate.facts.isCa &&
        candidate.facts.fingerprint256 !== current.fingerprint256 &&
        inputs.now < candidate.facts.notAfter,
    )
    // The newest predecessor: the one the replicas not yet switched serve.
    .sort((a, b) => b.facts.notBefore.getTime() - a.facts.notBefore.getTime())[0];
  return predecessor === undefined ? [inputs.secretCaPem] : [inputs.secretCaPem, predecessor.pem];
}

/**
 * Whether the certificate of `nextCaPem` may replace the one in use: at once when its CA is the
 * same, when nothing is served yet or the one in use has expired; for a new CA on a check that
 * found every caBundle already carrying it (the apiserver reads webhook configurations through an
 * informer, a moment behind the write that put the CA there), and at the latest once the overlap
 * has passed (the old CA is dropped then: a replica whose writes keep failing must not outstay it).
 */
export function mayServeCertificateOf(
  nextCaPem: string,
  inUse: { readonly caCert: string; readonly notAfter: Date } | undefined,
  caBundlesAlreadyCarriedIt: boolean,
  now: Date,
  overlapMs: number,
): boolean {
  if (inUse === undefined || inUse.caCert === nextCaPem || caBundlesAlreadyCarriedIt) return true;
  return now >= inUse.notAfter || now.getTime() >= readCertificateFacts(nextCaPem).notBefore.getTime() + overlapMs;
}

/** The PEM bundle text of the certificates, one per line block; a single one is returned as it is. */
export function pemBundleOf(pems: readonly string[]): string {
  return pems.map((pem, index) => (index < pems.length - 1 && !pem.endsWith('\n') ? `${pem}\n` : pem)).join('');
}

/** The certificates in a PEM bundle (what the apiserver reads from caBundle), in order, without line ends around. */
export function certificatesInPemBundle(bundle: string): string[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g)].map((match) => match[0]);
}
