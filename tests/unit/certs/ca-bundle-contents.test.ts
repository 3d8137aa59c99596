import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  caBundleCertificates,
  certificatesInPemBundle,
  mayServeCertificateOf,
  overlapMs,
  pemBundleOf,
} from '@longhorn-backup-guard/certs/ca-bundle-contents';
import { caBundlePemsOf } from '@longhorn-backup-guard/certs/ca-bundle-patch';
import {
  MAX_BACKDATE_MS,
  mintCertificateAuthority,
  plannedValidity,
} from '@longhorn-backup-guard/certs/mint-certificates';

const YEAR_S = 365 * 24 * 3600;
const minted = (iso: string, validitySeconds = YEAR_S): Promise<{ cert: string; key: string }> =>
  mintCertificateAuthority(`ca@${iso}`, plannedValidity(new Date(iso), validitySeconds));
const oldest = await minted('2026-01-01T00:00:00Z');
const old = await minted('2026-02-01T00:00:00Z');
const expiredOld = await minted('2026-02-01T00:00:00Z', 3600);
const secretCaMintedAt = new Date('2026-03-01T00:00:00Z');
const secretCa = await minted(secretCaMintedAt.toISOString());
const OVERLAP_MS = overlapMs(60_000, 60_000);
const after = (ms: number): Date => new Date(secretCaMintedAt.getTime() + ms);
/** The caBundle's CAs `ms` after the Secret CA was minted, with a 60 s check interval. */
const bundleAfter = (ms: number, previousCaPems: readonly string[]): string[] =>
  caBundleCertificates({ secretCaPem: secretCa.cert, previousCaPems, now: after(ms), overlapMs: OVERLAP_MS });

test('the overlap is two of the longest check gaps plus the notBefore backdate and its rounding to the second', () => {
  assert.equal(overlapMs(60_000, 60_000), 120_000 + MAX_BACKDATE_MS + 1_000);
  assert.equal(overlapMs(500, 30_000), 60_000 + MAX_BACKDATE_MS + 1_000);
});

test('the replaced CA is carried after the Secret CA for at least two check intervals after the new CA was minted', () => {
  for (const ms of [0, 60_000, 119_999]) {
    assert.deepEqual(bundleAfter(ms, [old.cert]), [secretCa.cert, old.cert], `${ms} ms after`);
  }
});

test('the replaced CA is dropped once the overlap measured from the new CA notBefore has passed', () => {
  // notBefore is the mint time less the backdate: the drop comes at least two intervals after minting.
  const dropAt = OVERLAP_MS - MAX_BACKDATE_MS;
  assert.deepEqual(bundleAfter(dropAt, [old.cert]), [secretCa.cert]);
});

test('at most two CAs: the newest predecessor; the Secret CA, expired, broken and non-CA candidates are not carried twice', () => {
  const bundle = bundleAfter(1_000, [
    oldest.cert,
    secretCa.cert,
    'not a certificate',
    expiredOld.cert,
    old.cert,
    oldest.cert,
  ]);
  assert.deepEqual(bundle, [secretCa.cert, old.cert]);
  assert.deepEqual(bundleAfter(1_000, [expiredOld.cert]), [secretCa.cert]);
  assert.deepEqual(bundleAfter(1_000, []), [secretCa.cert]);
});

test('property: the Secret CA first, at most one other, none once the overlap has passed', () => {
  const candidates = [oldest.cert, old.cert, expiredOld.cert, secretCa.cert, 'garbage'];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...candidates), { maxLength: 8 }),
      fc.integer({ min: -10 * 60_000, max: 2 * 3600_000 }),
      fc.integer({ min: 1, max: 3600_000 }),
      (previousCaPems, offsetMs, overlap) => {
        const now = after(offsetMs);
        const bundle = caBundleCertificates({ secretCaPem: secretCa.cert, previousCaPems, now, overlapMs: overlap });
        assert.equal(bundle[0], secretCa.cert);
        assert.ok(bundle.length <= 2);
        if (bundle.length === 2) {
          assert.notEqual(bundle[1], secretCa.cert);
          assert.ok(previousCaPems.includes(bundle[1] ?? ''));
          // expiredOld was minted a month before the Secret CA, valid for an hour: never carried.
          assert.notEqual(bundle[1], expiredOld.cert);
        }
        const secretNotBefore = secretCaMintedAt.getTime() - MAX_BACKDATE_MS;
        if (now.getTime() >= secretNotBefore + overlap) assert.deepEqual(bundle, [secretCa.cert]);
        if (previousCaPems.includes(old.cert) && now.getTime() < secretNotBefore + overlap)
          assert.deepEqual(bundle, [secretCa.cert, old.cert]);
      },
    ),
  );
});

test('a PEM bundle splits back into its certificates, in order; caBundles are read as PEM text', () => {
  const bundle = pemBundleOf([secretCa.cert, old.cert]);
  assert.deepEqual(certificatesInPemBundle(bundle), [secretCa.cert, old.cert]);
  assert.deepEqual(certificatesInPemBundle(pemBundleOf([`${secretCa.cert}\n`, old.cert])), [secretCa.cert, old.cert]);
  assert.equal(pemBundleOf([secretCa.cert]), secretCa.cert, 'one CA: the caBundle is ca.crt as it is');
  assert.deepEqual(certificatesInPemBundle('no certificate here'), []);
  const encoded = Buffer.from(bundle).toString('base64');
  assert.deepEqual(
    caBundlePemsOf({
      webhooks: [
        { name: 'a', clientConfig: { caBundle: encoded } },
        { name: 'b', clientConfig: { caBundle: encoded } },
        { name: 'c' },
      ],
    }),
    [bundle],
  );
});

test('a certificate of a new CA is served only from a check that found the caBundles carrying it', () => {
  const inUse = { caCert: old.cert, notAfter: after(60_000) };
  const now = after(1_000);
  assert.equal(mayServeCertificateOf(secretCa.cert, inUse, false, now, OVERLAP_MS), false, 'just injected: not yet');
  assert.equal(mayServeCertificateOf(secretCa.cert, inUse, true, now, OVERLAP_MS), true, 'carried before this check');
  assert.equal(mayServeCertificateOf(old.cert, inUse, false, now, OVERLAP_MS), true, 'same CA (a rotation): at once');
  assert.equal(mayServeCertificateOf(secretCa.cert, undefined, false, now, OVERLAP_MS), true, 'nothing served yet');
  assert.equal(
    mayServeCertificateOf(secretCa.cert, inUse, false, after(60_000), OVERLAP_MS),
    true,
    'the one in use expired',
  );
  const longInUse = { caCert: old.cert, notAfter: after(3600_000) };
  const overlapEnds = OVERLAP_MS - MAX_BACKDATE_MS; // from the new CA's notBefore
  assert.equal(mayServeCertificateOf(secretCa.cert, longInUse, false, after(overlapEnds - 1), OVERLAP_MS), false);
  assert.equal(
    mayServeCertificateOf(secretCa.cert, longInUse, false, after(overlapEnds), OVERLAP_MS),
    true,
    'writes failing: served at the latest when the old CA is dropped',
  );
});
