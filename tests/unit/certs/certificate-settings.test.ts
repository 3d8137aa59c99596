import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  resolveCertificateSettings,
  serviceDnsNames,
  servingNames,
} from '@longhorn-backup-guard/certs/certificate-settings';
import { nextCheckDelayMs, retryDelayMs } from '@longhorn-backup-guard/certs/check-schedule';

const required = { namespace: 'guard', serviceName: 'webhook', secretName: 'webhook-tls' };

test('defaults: CA 10 years, serving 1 year, renew with a third left, cluster.local', () => {
  const settings = resolveCertificateSettings(required);
  assert.equal(settings.caValiditySeconds, 10 * 365 * 86_400);
  assert.equal(settings.servingValiditySeconds, 365 * 86_400);
  assert.equal(settings.renewBeforeExpiryFraction, 1 / 3);
  assert.equal(settings.clusterDomain, 'cluster.local');
});

test('the serving names: the Service names, then the extras, deduplicated, IPs in canonical form', () => {
  assert.deepEqual(serviceDnsNames('webhook', 'guard', 'cluster.local'), [
    'webhook',
    'webhook.guard',
    'webhook.guard.svc',
    'webhook.guard.svc.cluster.local',
  ]);
  const settings = resolveCertificateSettings({
    ...required,
    extraDnsNames: ['Webhook.example.com', 'webhook'],
    ipAddresses: ['127.0.0.1', 'FD00:0:0:0:0:0:0:1'],
  });
  assert.deepEqual(servingNames(settings), {
    dnsNames: [
      'webhook',
      'webhook.guard',
      'webhook.guard.svc',
      'webhook.guard.svc.cluster.local',
      'webhook.example.com',
    ],
    ipAddresses: ['127.0.0.1', 'fd00::1'],
  });
});

test('invalid settings are refused with the setting named', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ namespace: 'Not_A_Label' }, /namespace/],
    [{ secretName: '' }, /secretName/],
    [{ ipAddresses: ['localhost'] }, /ipAddresses: "localhost"/],
    [{ extraDnsNames: ['bad name'] }, /extraDnsNames/],
    [{ servingValiditySeconds: 0 }, /servingValiditySeconds/],
    [{ caValiditySeconds: Number.NaN }, /caValiditySeconds/],
    [{ renewBeforeExpiryFraction: 1 }, /renewBeforeExpiryFraction/],
  ];
  for (const [change, message] of cases) {
    assert.throws(() => resolveCertificateSettings({ ...required, ...change }), message);
  }
});

test('retries back off exponentially up to the maximum', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 10].map((failures) => retryDelayMs(failures, 1000, 10_000)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
});

test('the next check comes at the interval, or when renewal falls due, never in a busy loop', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const inSeconds = (s: number): Date => new Date(now.getTime() + s * 1000);
  assert.equal(nextCheckDelayMs(now, inSeconds(3600), 60_000, 1000), 60_000);
  assert.equal(nextCheckDelayMs(now, inSeconds(5), 60_000, 1000), 5000);
  assert.equal(nextCheckDelayMs(now, inSeconds(-5), 60_000, 1000), 1000);
});
