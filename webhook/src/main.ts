// node webhook/src/main.ts: the admission webhook process. Settings from the environment (see
// environment.ts), the product configuration from CONFIG_FILE (the mounted ConfigMap).
import { setTimeout as sleep } from 'node:timers/promises';
import { CertificateManager } from '@longhorn-backup-guard/certs/certificate-manager';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { loadKubeClient } from '@longhorn-backup-guard/shared/kube/load-kube-config';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { errorText, exitWithFailure, logEscapedErrors } from '@longhorn-backup-guard/shared/process/process-exits';
import { watchConfigFile, type ConfigFileSource } from './config/config-file.ts';
import { staticConfig, type ConfigSource } from '@longhorn-backup-guard/shared/config/config-source';
import { readEnvironment, type WebhookEnvironment } from './environment.ts';
import { startWebhook } from './start-webhook.ts';

const log = createLogger('webhook');

logEscapedErrors(log);

function fail(message: string): never {
  return exitWithFailure(log, message);
}

let environment: WebhookEnvironment;
try {
  environment = readEnvironment(process.env);
} catch (error) {
  fail(`invalid environment: ${errorText(error)}`);
}

let configFile: ConfigFileSource | undefined;
let config: ConfigSource;
if (environment.configFile === undefined) {
  log.warn('CONFIG_FILE is not set: using the built-in default configuration');
  config = staticConfig(defaultConfig);
} else {
  try {
    configFile = watchConfigFile({
      path: environment.configFile,
      log,
      pollIntervalMs: environment.configPollIntervalMs,
    });
    config = configFile;
  } catch (error) {
    fail(errorText(error));
  }
}

let kubeConfig;
try {
  kubeConfig = loadKubeClient();
} catch (error) {
  fail(errorText(error));
}

let certificates: CertificateManager;
try {
  certificates = new CertificateManager({
    kubeConfig,
    namespace: environment.namespace,
    serviceName: environment.serviceName,
    secretName: environment.tlsSecretName,
    ipAddresses: environment.certificateIpAddresses,
    extraDnsNames: environment.certificateDnsNames,
    ...(environment.servingCertificateValiditySeconds === undefined
      ? {}
      : { servingValiditySeconds: environment.servingCertificateValiditySeconds }),
    checkIntervalMs: environment.certificateCheckIntervalMs,
    mutatingWebhookConfigurationName: environment.mutatingWebhookConfigurationName || undefined,
    validatingWebhookConfigurationName: environment.validatingWebhookConfigurationName || undefined,
    logger: log.child({ component: 'certs' }),
  });
} catch (error) {
  fail(errorText(error));
}

const webhook = await startWebhook({
  kubeConfig,
  config,
  certificates,
  host: environment.host,
  port: environment.port,
  metricsPort: environment.metricsPort,
  logger: log,
}).catch((error: unknown) => fail(`the webhook did not start: ${errorText(error)}`));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Give the Service time to stop sending requests here before the server stops accepting them.
    log.info({ signal, delayMs: environment.shutdownDelayMs }, 'stopping');
    sleep(environment.shutdownDelayMs)
      .then(() => webhook.close())
      .then(() => {
        configFile?.stop();
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'unclean stop');
        process.exit(1);
      });
  });
}
