// The webhook's settings from environment variables (the ConfigMap file holds the product's
// configuration; these say where and how this process runs). Throws an Error naming the variable.
import { isIP } from 'node:net';

export interface WebhookEnvironment {
  readonly host: string;
  readonly port: number;
  readonly metricsPort: number;
  /** The ConfigMap file; undefined: built-in defaults. */
  readonly configFile: string | undefined;
  readonly configPollIntervalMs: number;
  /** Namespace of the webhook's Service and certificate Secret. */
  readonly namespace: string;
  readonly tlsSecretName: string;
  readonly serviceName: string;
  /** Configurations that get the CA as caBundle; '' leaves one out. */
  readonly mutatingWebhookConfigurationName: string;
  readonly validatingWebhookConfigurationName: string;
  readonly certificateIpAddresses: readonly string[];
  readonly certificateDnsNames: readonly string[];
  readonly servingCertificateValiditySeconds: number | undefined;
  readonly certificateCheckIntervalMs: number | undefined;
  readonly shutdownDelayMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

function whole(env: Env, name: string, min: number, max: number): number | undefined {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new Error(`${name}="${value}" is not a whole number from ${min} to ${max}`);
  return Number(value);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function readEnvironment(env: Env): WebhookEnvironment {
  const configurationName = env.WEBHOOK_CONFIGURATION_NAME?.trim() ?? 'longhorn-backup-guard';
  const ipAddresses = list(env, 'CERT_IP_ADDRESSES');
  const badIp = ipAddresses.find((ip) => isIP(ip) === 0);
  if (badIp !== undefined) throw new Error(`CERT_IP_ADDRESSES: "${badIp}" is not an IP address`);
  const validity = whole(env, 'CERT_VALIDITY_SECONDS', 60, 10 * 365 * 86_400);
  const checkInterval = whole(env, 'CERT_CHECK_INTERVAL_SECONDS', 1, 86_400);
  return {
    host: text(env, 'BIND_ADDRESS', '0.0.0.0'),
    port: whole(env, 'WEBHOOK_PORT', 0, 65_535) ?? 8443,
    metricsPort: whole(env, 'METRICS_PORT', 0, 65_535) ?? 8080,
    configFile: env.CONFIG_FILE?.trim() || undefined,
    configPollIntervalMs: (whole(env, 'CONFIG_POLL_SECONDS', 1, 3_600) ?? 2) * 1000,
    namespace: text(env, 'POD_NAMESPACE', 'longhorn-backup-guard'),
    tlsSecretName: text(env, 'TLS_SECRET_NAME', 'longhorn-backup-guard-webhook-tls'),
    serviceName: text(env, 'SERVICE_NAME', 'longhorn-backup-guard-webhook'),
    mutatingWebhookConfigurationName: env.MUTATING_WEBHOOK_CONFIGURATION_NAME?.trim() ?? configurationName,
    validatingWebhookConfigurationName: env.VALIDATING_WEBHOOK_CONFIGURATION_NAME?.trim() ?? configurationName,
    certificateIpAddresses: ipAddresses,
    certificateDnsNames: list(env, 'CERT_DNS_NAMES'),
    servingCertificateValiditySeconds: validity,
    certificateCheckIntervalMs: checkInterval === undefined ? undefined : checkInterval * 1000,
    shutdownDelayMs: (whole(env, 'SHUTDOWN_DELAY_SECONDS', 0, 300) ?? 5) * 1000,
  };
}
