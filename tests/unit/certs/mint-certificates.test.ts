import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { isIssuedBy, isKeyOfCertificate, readCertificateFacts } from '@longhorn-backup-guard/certs/certificate-facts';
import { resolveCertificateSettings, servingNames } from '@longhorn-backup-guard/certs/certificate-settings';
import {
  mintCertificateAuthority,
  mintServingCertificate,
  plannedValidity,
} from '@longhorn-backup-guard/certs/mint-certificates';

const now = new Date('2026-03-01T12:00:00Z');
const names = servingNames(
  resolveCertificateSettings({
    namespace: 'guard',
    serviceName: 'webhook',
    secretName: 'webhook-tls',
    ipAddresses: ['127.0.0.1'],
  }),
);
const ca = await mintCertificateAuthority('webhook.guard-ca', plannedValidity(now, 10 * 365 * 86_400));
const serving = await mintServingCertificate(ca, 'webhook.guard.svc', names, plannedValidity(now, 3600));

test('the serving certificate carries the Service DNS names and the extra IP', () => {
  const facts = readCertificateFacts(serving.cert);
  assert.deepEqual(facts.dnsNames, [
    'webhook',
    'webhook.guard',
    'webhook.guard.svc',
    'webhook.guard.svc.cluster.local',
  ]);
  assert.deepEqual(facts.ipAddresses, ['127.0.0.1']);
  const x509 = new X509Certificate(serving.cert);
  assert.equal(x509.checkHost('webhook.guard.svc'), 'webhook.guard.svc');
  assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(x509.checkHost('other.guard.svc'), undefined);
});

test('both certificates are signed with SHA-256, never SHA-1', () => {
  assert.equal(readCertificateFacts(ca.cert).signatureAlgorithm, 'ecdsa-with-SHA256');
  assert.equal(readCertificateFacts(serving.cert).signatureAlgorithm, 'ecdsa-with-SHA256');
});

test('the serving certificate is issued by the CA and verifies against its key', () => {
  assert.equal(isIssuedBy(serving.cert, ca.cert), true);
  const leaf = new X509Certificate(serving.cert);
  const authority = new X509Certificate(ca.cert);
  assert.equal(leaf.checkIssued(authority), true);
  assert.equal(leaf.verify(authority.publicKey), true);
  assert.equal(readCertificateFacts(ca.cert).isCa, true);
  assert.equal(readCertificateFacts(serving.cert).isCa, false);
  assert.equal(isKeyOfCertificate(serving.key, serving.cert), true);
  assert.equal(isKeyOfCertificate(ca.key, serving.cert), false);
});

test('a serving certificate from another CA does not verify against this one', async () => {
  const otherCa = await mintCertificateAuthority('webhook.guard-ca', plannedValidity(now, 86_400));
  const foreign = await mintServingCertificate(otherCa, 'webhook.guard.svc', names, plannedValidity(now, 3600));
  assert.equal(isIssuedBy(foreign.cert, ca.cert), false);
});

test('validity windows: as asked, notBefore set back a tenth (at most 5 minutes), never past the limit', async () => {
  assert.deepEqual(plannedValidity(now, 6), {
    notBefore: new Date(now.getTime() - 600),
    notAfter: new Date(now.getTime() + 6000),
  });
  assert.deepEqual(plannedValidity(now, 365 * 86_400), {
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
  });
  const limit = new Date(now.getTime() + 60_000);
  assert.equal(plannedValidity(now, 3600, limit).notAfter.getTime(), limit.getTime());

  // X.509 keeps whole seconds: the certificate's window is the planned one, truncated.
  const caFacts = readCertificateFacts(ca.cert);
  assert.equal(caFacts.notAfter.getTime(), now.getTime() + 10 * 365 * 86_400_000);
  const short = readCertificateFacts((await mintServingCertificate(ca, 'x', names, plannedValidity(now, 6))).cert);
  assert.equal(short.notBefore.getTime(), now.getTime() - 1000);
  assert.equal(short.notAfter.getTime(), now.getTime() + 6000);
});
