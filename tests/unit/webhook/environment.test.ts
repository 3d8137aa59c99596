import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEnvironment } from '@longhorn-backup-guard/webhook/environment';

test('defaults: the values the manifests use', () => {
  assert.deepEqual(readEnvironment({}), {
    host: '0.0.0.0',
    port: 8443,
    metricsPort: 8080,
    configFile: undefined,
    configPollIntervalMs: 2000,
    namespace: 'longhorn-backup-guard',
    tlsSecretName: 'longhorn-backup-guard-webhook-tls',
    serviceName: 'longhorn-backup-guard-webhook',
    mutatingWebhookConfigurationName: 'longhorn-backup-guard',
    validatingWebhookConfigurationName: 'longhorn-backup-guard',
    certificateIpAddresses: [],
    certificateDnsNames: [],
    servingCertificateValiditySeconds: undefined,
    certificateCheckIntervalMs: undefined,
    shutdownDelayMs: 5000,
  });
});

test('every variable is read', () => {
  const environment = readEnvironment({
    BIND_ADDRESS: '127.0.0.1',
    WEBHOOK_PORT: '9443',
    METRICS_PORT: '0',
    CONFIG_FILE: '/etc/x/config.yaml',
    CONFIG_POLL_SECONDS: '5',
    POD_NAMESPACE: 'guard',
    TLS_SECRET_NAME: 'tls',
    SERVICE_NAME: 'svc',
    WEBHOOK_CONFIGURATION_NAME: 'both',
    VALIDATING_WEBHOOK_CONFIGURATION_NAME: '',
    CERT_IP_ADDRESSES: '127.0.0.1, ::1',
    CERT_DNS_NAMES: 'a.example,b.example',
    CERT_VALIDITY_SECONDS: '3600',
    CERT_CHECK_INTERVAL_SECONDS: '30',
    SHUTDOWN_DELAY_SECONDS: '0',
  });
  assert.equal(environment.port, 9443);
  assert.equal(environment.metricsPort, 0);
  assert.equal(environment.configPollIntervalMs, 5000);
  assert.equal(environment.mutatingWebhookConfigurationName, 'both');
  assert.equal(environment.validatingWebhookConfigurationName, '');
  assert.deepEqual(environment.certificateIpAddresses, ['127.0.0.1', '::1']);
  assert.deepEqual(environment.certificateDnsNames, ['a.example', 'b.example']);
  assert.equal(environment.servingCertificateValiditySeconds, 3600);
  assert.equal(environment.certificateCheckIntervalMs, 30_000);
  assert.equal(environment.shutdownDelayMs, 0);
});

test('a bad value names its variable', () => {
  assert.throws(
    () => readEnvironment({ WEBHOOK_PORT: '70000' }),
    /^Error: WEBHOOK_PORT="70000" is not a whole number from 0 to 65535$/,
  );
  assert.throws(() => readEnvironment({ METRICS_PORT: '-1' }), /^Error: METRICS_PORT=/);
  assert.throws(
    () => readEnvironment({ CERT_IP_ADDRESSES: '127.0.0.1,localhost' }),
    /^Error: CERT_IP_ADDRESSES: "localhost" is not an IP address$/,
  );
  assert.throws(() => readEnvironment({ CERT_VALIDITY_SECONDS: '10' }), /CERT_VALIDITY_SECONDS="10"/);
});
