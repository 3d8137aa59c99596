// What the certificates must look like and where they live, with defaults and validation.
import { isIP } from 'node:net';
import { canonicalIp } from './certificate-facts.ts';
import { isDnsLabel, isDnsSubdomain } from '@longhorn-backup-guard/shared/names/kubernetes-names';

const YEAR_SECONDS = 365 * 24 * 60 * 60;

export interface CertificateSettings {
  /** Namespace of the webhook's Service and of the Secret. */
  readonly namespace: string;
  readonly serviceName: string;
  /** The Secret (type kubernetes.io/tls, keys tls.crt, tls.key, ca.crt, ca.key) all replicas share. */
  readonly secretName: string;
  readonly clusterDomain: string;
  readonly extraDnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly caValiditySeconds: number;
  readonly servingValiditySeconds: number;
  /** Renew the serving certificate when less than this fraction of its validity remains. */
  readonly renewBeforeExpiryFraction: number;
}

export type CertificateSettingsInput = Pick<CertificateSettings, 'namespace' | 'serviceName' | 'secretName'> &
  Partial<CertificateSettings>;

export const certificateDefaults = {
  clusterDomain: 'cluster.local',
  extraDnsNames: [],
  ipAddresses: [],
  caValiditySeconds: 10 * YEAR_SECONDS,
  servingValiditySeconds: YEAR_SECONDS,
  renewBeforeExpiryFraction: 1 / 3,
} as const satisfies Partial<CertificateSettings>;

/** Fills in defaults; throws an Error naming the first invalid setting. */
export function resolveCertificateSettings(input: CertificateSettingsInput): CertificateSettings {
  const settings: CertificateSettings = { ...certificateDefaults, ...input };
  for (const key of ['namespace', 'serviceName'] as const) {
    if (!isDnsLabel(settings[key]))
      throw new Error(`certificate setting ${key}: "${settings[key]}" is not a DNS label`);
  }
  if (!isDnsSubdomain(settings.secretName))
    throw new Error(`certificate setting secretName: "${settings.secretName}" is not a valid name`);
  if (!isDnsSubdomain(settings.clusterDomain))
    throw new Error(`certificate setting clusterDomain: "${settings.clusterDomain}" is not a DNS name`);
  for (const name of settings.extraDnsNames) {
    if (!isDnsSubdomain(name.toLowerCase().replace(/^\*\./, '')))
      throw new Error(`certificate setting extraDnsNames: "${name}" is not a DNS name`);
  }
  for (const ip of settings.ipAddresses) {
    if (isIP(ip) === 0) throw new Error(`certificate setting ipAddresses: "${ip}" is not an IP address`);
  }
  for (const key of ['caValiditySeconds', 'servingValiditySeconds'] as const) {
    if (!(settings[key] >= 1)) throw new Error(`certificate setting ${key}: ${settings[key]} must be at least 1`);
  }
  const fraction = settings.renewBeforeExpiryFraction;
  if (!(fraction > 0 && fraction < 1))
    throw new Error(`certificate setting renewBeforeExpiryFraction: ${fraction} must be between 0 and 1 (exclusive)`);
  return settings;
}

export interface ServingNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** The names a Service answers to inside the cluster, most specific last. */
export function serviceDnsNames(serviceName: string, namespace: string, clusterDomain: string): string[] {
  const svc = `${serviceName}.${namespace}.svc`;
  return [serviceName, `${serviceName}.${namespace}`, svc, `${svc}.${clusterDomain}`];
}

/** Every name the serving certificate must carry: the Service's DNS names plus the extras. */
export function servingNames(settings: CertificateSettings): ServingNames {
  const dnsNames = [
    ...serviceDnsNames(settings.serviceName, settings.namespace, settings.clusterDomain),
    ...settings.extraDnsNames,
  ];
  return {
    dnsNames: [...new Set(dnsNames.map((name) => name.toLowerCase()))],
    ipAddresses: [...new Set(settings.ipAddresses.map(canonicalIp))],
  };
}
