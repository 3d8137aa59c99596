// One pass of "make the Secret right": read it; create it when absent; mint a new serving
// certificate (same CA) when the one stored is missing, broken, for other names or due; write with
// optimistic concurrency. Whenever another replica got there first (409 on create or on update),
// re-read and use what it wrote: a Secret another replica wrote is never overwritten blindly.
import type { V1Secret } from '@kubernetes/client-node';
import { isAlreadyExists, isConflict, isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath, resourcePath, type ResourceRef } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { readCertificateFacts } from './certificate-facts.ts';
import {
  bundleOf,
  caOf,
  newCertificateSecret,
  secretDataOf,
  storedCertificatesOf,
  type CertificateBundle,
} from './certificate-secret.ts';
import { servingNames, type CertificateSettings, type ServingNames } from './certificate-settings.ts';
import {
  mintCertificateAuthority,
  mintServingCertificate,
  plannedValidity,
  type CertificateAndKey,
} from './mint-certificates.ts';
import { assessStoredCertificates } from './renewal-decision.ts';

export type SecretOutcome =
  | 'created' // there was no Secret; this call made it
  | 'reused' // the stored certificates were fine
  | 'adopted' // another replica created or renewed them while this call tried to
  | 'reissued' // a new serving certificate from the stored CA
  | 'recreated-ca'; // the stored CA was missing, broken or expired: a new CA and serving certificate

export interface EnsuredCertificates {
  readonly bundle: CertificateBundle;
  readonly outcome: SecretOutcome;
  /** Why the certificates were replaced ('reissued', 'recreated-ca'). */
  readonly reason?: string;
  readonly caNearExpiry: boolean;
}

/** Races lost in a row before giving up until the next check. */
const MAX_ATTEMPTS = 3;

const secrets = (namespace: string): ResourceRef => ({ version: 'v1', namespace, plural: 'secrets' });

export async function ensureCertificateSecret(
  client: KubeClient,
  settings: CertificateSettings,
  now: () => Date,
): Promise<EnsuredCertificates> {
  const { namespace, secretName: name } = settings;
  const names = servingNames(settings);
  for (let attempt = 1; ; attempt++) {
    const lostRaceBefore = attempt > 1;
    const secret = await readSecret(client, namespace, name);
    if (secret === undefined) {
      const bundle = await mintBundle(settings, names, now());
      try {
        await client.request({
          method: 'POST',
          path: resourcePath(secrets(namespace)),
          body: newCertificateSecret(namespace, name, bundle),
        });
        return { bundle, outcome: 'created', caNearExpiry: false };
      } catch (error) {
        if (!isAlreadyExists(error) || attempt >= MAX_ATTEMPTS) throw error;
        continue;
      }
    }

    const stored = storedCertificatesOf(secret);
    const { verdict, caNearExpiry } = assessStoredCertificates(
      stored,
      names,
      now(),
      settings.renewBeforeExpiryFraction,
    );
    if (verdict.action === 'keep')
      return { bundle: bundleOf(stored), outcome: lostRaceBefore ? 'adopted' : 'reused', caNearExpiry };

    const bundle =
      verdict.action === 'recreate-ca'
        ? await mintBundle(settings, names, now())
        : await reissueServing(caOf(stored), settings, names, now());
    try {
      // resourceVersion from the read makes this an optimistic-concurrency update.
      await client.request({
        method: 'PUT',
        path: objectPath(secrets(namespace), name),
        body: { ...secret, data: { ...secret.data, ...secretDataOf(bundle) } },
      });
      const outcome = verdict.action === 'recreate-ca' ? 'recreated-ca' : 'reissued';
      return { bundle, outcome, reason: verdict.reason, caNearExpiry: outcome === 'reissued' && caNearExpiry };
    } catch (error) {
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function readSecret(client: KubeClient, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return (await client.request<V1Secret>({ method: 'GET', path: objectPath(secrets(namespace), name) })).body;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function mintBundle(settings: CertificateSettings, names: ServingNames, now: Date): Promise<CertificateBundle> {
  // The time in the CA's name keeps a re-created CA distinguishable from the one it replaces.
  const caName = `${settings.serviceName}.${settings.namespace}-ca@${Math.floor(now.getTime() / 1000)}`;
  const ca = await mintCertificateAuthority(caName, plannedValidity(now, settings.caValiditySeconds));
  return { ca, serving: await mintServing(ca, settings, names, now) };
}

async function reissueServing(
  ca: CertificateAndKey,
  settings: CertificateSettings,
  names: ServingNames,
  now: Date,
): Promise<CertificateBundle> {
  return { ca, serving: await mintServing(ca, settings, names, now) };
}

function mintServing(
  ca: CertificateAndKey,
  settings: CertificateSettings,
  names: ServingNames,
  now: Date,
): Promise<CertificateAndKey> {
  const validity = plannedValidity(now, settings.servingValiditySeconds, readCertificateFacts(ca.cert).notAfter);
  return mintServingCertificate(ca, `${settings.serviceName}.${settings.namespace}.svc`, names, validity);
}
