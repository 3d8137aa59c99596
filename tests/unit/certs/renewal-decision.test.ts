import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCertificateSettings, servingNames } from '@longhorn-backup-guard/certs/certificate-settings';
import {
  mintCertificateAuthority,
  mintServingCertificate,
  plannedValidity,
} from '@longhorn-backup-guard/certs/mint-certificates';
import {
  assessStoredCertificates,
  describeNameDifference,
  isRenewalDue,
  renewalDueAt,
  type StoredCertificates,
} from '@longhorn-backup-guard/certs/renewal-decision';

const at = (iso: string): Date => new Date(iso);

test('renewal is due once less than the fraction of the validity remains', () => {
  const window = { notBefore: at('2026-01-01T00:00:00Z'), notAfter: at('2026-01-01T00:00:30Z') };
  assert.deepEqual(renewalDueAt(window, 1 / 3), at('2026-01-01T00:00:20Z'));
  const table: Array<[string, number, boolean]> = [
    ['2025-12-31T23:59:59Z', 1 / 3, false], // not yet valid
    ['2026-01-01T00:00:00Z', 1 / 3, false],
    ['2026-01-01T00:00:19.999Z', 1 / 3, false],
    ['2026-01-01T00:00:20Z', 1 / 3, true], // exactly a third left
    ['2026-01-01T00:00:29Z', 1 / 3, true],
    ['2026-01-01T00:01:00Z', 1 / 3, true], // expired
    ['2026-01-01T00:00:14Z', 0.5, false],
    ['2026-01-01T00:00:15Z', 0.5, true],
    ['2026-01-01T00:00:26Z', 0.1, false],
    ['2026-01-01T00:00:27Z', 0.1, true],
  ];
  for (const [now, fraction, due] of table) {
    assert.equal(isRenewalDue(window, at(now), fraction), due, `${now} with ${fraction}`);
  }
});

const start = at('2026-03-01T12:00:00Z');
const settings = resolveCertificateSettings({
  namespace: 'guard',
  serviceName: 'webhook',
  secretName: 'webhook-tls',
  ipAddresses: ['127.0.0.1'],
});
const names = servingNames(settings);
const ca = await mintCertificateAuthority('ca', plannedValidity(start, 3000)); // 300 s back .. +3000 s
const serving = await mintServingCertificate(ca, 'webhook.guard.svc', names, plannedValidity(start, 300)); // 30 s back .. +300 s
const good: StoredCertificates = { caCert: ca.cert, caKey: ca.key, tlsCert: serving.cert, tlsKey: serving.key };
const after = (seconds: number): Date => new Date(start.getTime() + seconds * 1000);

test('sound certificates are kept until renewal is due', () => {
  assert.deepEqual(assessStoredCertificates(good, names, after(1), 1 / 3), {
    verdict: { action: 'keep' },
    caNearExpiry: false,
  });
  // 330 s of validity: a third left at +190 s.
  assert.equal(assessStoredCertificates(good, names, after(189), 1 / 3).verdict.action, 'keep');
  const due = assessStoredCertificates(good, names, after(190), 1 / 3).verdict;
  assert.equal(due.action, 'reissue-serving');
  assert.match(due.action === 'reissue-serving' ? due.reason : '', /renewal was due/);
  const expired = assessStoredCertificates(good, names, after(301), 1 / 3).verdict;
  assert.match(expired.action === 'reissue-serving' ? expired.reason : '', /tls.crt expired/);
});

test('a broken, foreign or misnamed serving certificate is reissued from the same CA', async () => {
  const otherCa = await mintCertificateAuthority('other', plannedValidity(start, 3000));
  const foreign = await mintServingCertificate(otherCa, 'webhook.guard.svc', names, plannedValidity(start, 300));
  const misnamed = await mintServingCertificate(
    ca,
    'webhook.guard.svc',
    { dnsNames: names.dnsNames, ipAddresses: [] },
    plannedValidity(start, 300),
  );
  const cases: Array<[string, StoredCertificates, RegExp]> = [
    ['no tls.crt', { ...good, tlsCert: undefined }, /tls.crt is missing/],
    ['no tls.key', { ...good, tlsKey: '' }, /tls.key is missing/],
    ['garbage tls.crt', { ...good, tlsCert: 'not a certificate' }, /not a PEM certificate/],
    ['key of another certificate', { ...good, tlsKey: foreign.key }, /tls.key does not belong/],
    ['signed by another CA', { ...good, tlsCert: foreign.cert, tlsKey: foreign.key }, /not signed by the CA/],
    ['an IP missing', { ...good, tlsCert: misnamed.cert, tlsKey: misnamed.key }, /names differ: missing 127.0.0.1/],
  ];
  for (const [what, stored, reason] of cases) {
    const { verdict } = assessStoredCertificates(stored, names, after(1), 1 / 3);
    assert.equal(verdict.action, 'reissue-serving', what);
    assert.match(verdict.action === 'reissue-serving' ? verdict.reason : '', reason, what);
  }
});

test('a missing, broken or expired CA is recreated; a CA near expiry is only flagged', () => {
  const cases: Array<[string, StoredCertificates, Date, RegExp]> = [
    ['no ca.crt', { ...good, caCert: undefined }, after(1), /ca.crt is missing/],
    ['no ca.key', { ...good, caKey: undefined }, after(1), /ca.key is missing/],
    [
      'garbage ca.crt',
      { ...good, caCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      after(1),
      /not a PEM certificate/,
    ],
    ['a leaf as CA', { ...good, caCert: serving.cert, caKey: serving.key }, after(1), /not a CA certificate/],
    ['wrong ca.key', { ...good, caKey: serving.key }, after(1), /ca.key does not belong/],
    ['expired CA', good, after(3000), /the CA expired/],
  ];
  for (const [what, stored, now, reason] of cases) {
    const { verdict } = assessStoredCertificates(stored, names, now, 1 / 3);
    assert.equal(verdict.action, 'recreate-ca', what);
    assert.match(verdict.action === 'recreate-ca' ? verdict.reason : '', reason, what);
  }
  // CA: 3300 s of validity, a third left at +1900 s (the serving certificate is renewed long before).
  const freshServing = { ...good, tlsCert: undefined };
  assert.equal(assessStoredCertificates(freshServing, names, after(1899), 1 / 3).caNearExpiry, false);
  assert.equal(assessStoredCertificates(freshServing, names, after(1900), 1 / 3).caNearExpiry, true);
});

test('names compare as sets, DNS case-insensitively, IPs in any spelling', () => {
  const expected = { dnsNames: ['a.ns.svc', 'a'], ipAddresses: ['::1'] };
  assert.equal(describeNameDifference({ dnsNames: ['A', 'a.ns.svc'], ipAddresses: ['::1'] }, expected), undefined);
  assert.equal(
    describeNameDifference({ dnsNames: ['a'], ipAddresses: ['::1', '10.0.0.1'] }, expected),
    'tls.crt names differ: missing a.ns.svc; not wanted 10.0.0.1',
  );
});
